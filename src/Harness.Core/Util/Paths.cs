namespace Harness.Util;

/// <summary>Where the harness keeps data, caches and results, resolved once from the environment.</summary>
public static class Paths
{
    /// <summary>The repository root (the folder holding Harness.sln) above the working directory or the binaries; else the working directory.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>`--data-root`, else HARNESS_DATA, else `data/` in the repository.</summary>
    public static string DataRoot(string? overrideRoot = null) =>
        Path.GetFullPath(overrideRoot ?? Environment.GetEnvironmentVariable("HARNESS_DATA") ?? Path.Combine(RepoRoot, "data"));

    /// <summary>HARNESS_CACHE, else `.cache/` in the repository (git-ignored).</summary>
    public static string CacheRoot =>
        Path.GetFullPath(Environment.GetEnvironmentVariable("HARNESS_CACHE") ?? Path.Combine(RepoRoot, ".cache"));

    /// <summary>HARNESS_RESULTS, else `results/` in the repository.</summary>
    public static string ResultsRoot =>
        Path.GetFullPath(Environment.GetEnvironmentVariable("HARNESS_RESULTS") ?? Path.Combine(RepoRoot, "results"));

    static string FindRepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
