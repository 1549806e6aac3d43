namespace Harness.Util;

/// <summary>The commit of the repository the harness runs from, read from .git without running git.</summary>
public static class GitInfo
{
    public static string Commit { get; } = Read();

    static string Read()
    {
        try
        {
            var git = Path.Combine(Paths.RepoRoot, ".git");
            if (File.Exists(git)) // a worktree: ".git" is a file naming the real git directory
            {
                var line = File.ReadAllText(git).Trim();
                if (line.StartsWith("gitdir: ", StringComparison.Ordinal)) git = Path.GetFullPath(line[8..], Paths.RepoRoot);
            }
            var head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return head;
            var name = head[5..];
            var loose = Path.Combine(git, name);
            if (File.Exists(loose)) return File.ReadAllText(loose).Trim();
            var common = File.Exists(Path.Combine(git, "commondir")) ? Path.GetFullPath(File.ReadAllText(Path.Combine(git, "commondir")).Trim(), git) : git;
            loose = Path.Combine(common, name);
            if (File.Exists(loose)) return File.ReadAllText(loose).Trim();
            var packed = Path.Combine(common, "packed-refs");
            if (File.Exists(packed))
                foreach (var line in File.ReadLines(packed))
                    if (line.EndsWith(" " + name, StringComparison.Ordinal)) return line[..line.IndexOf(' ')];
        }
        catch (IOException) { }
        return "unknown";
    }
}
