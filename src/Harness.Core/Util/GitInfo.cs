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
            var head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
            if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return head;
            var name = head[5..];
            var loose = Path.Combine(git, name);
            if (File.Exists(loose)) return File.ReadAllText(loose).Trim();
            var packed = Path.Combine(git, "packed-refs");
            if (File.Exists(packed))
                foreach (var line in File.ReadLines(packed))
                    if (line.EndsWith(" " + name, StringComparison.Ordinal)) return line[..line.IndexOf(' ')];
        }
        catch (IOException) { }
        return "unknown";
    }
}
