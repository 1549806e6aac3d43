using System.Globalization;

namespace Harness.Runs;

/// <summary>Which share of a matrix this process runs: `--shard i/n`, else a Slurm job array, else a Kubernetes indexed Job.</summary>
public static class Sharding
{
    /// <summary>Stable shard of an id: FNV-1a of its characters modulo the shard count.</summary>
    public static int Of(string id, int count)
    {
        uint h = 2166136261;
        foreach (char c in id) { h ^= c; h *= 16777619; }
        return (int)(h % (uint)count);
    }

    public static (int Index, int Count) Resolve(string? arg, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        if (arg != null)
        {
            var parts = arg.Split('/');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || i >= n)
                throw new HarnessException($"--shard '{arg}' must be i/n with 0 ≤ i < n, e.g. 0/4.");
            return (i, n);
        }
        if (env("SLURM_ARRAY_TASK_ID") is { } sid && env("SLURM_ARRAY_TASK_COUNT") is { } scount)
        {
            int min = int.TryParse(env("SLURM_ARRAY_TASK_MIN"), CultureInfo.InvariantCulture, out var m) ? m : 0;
            return Check(Parse(sid, "SLURM_ARRAY_TASK_ID") - min, Parse(scount, "SLURM_ARRAY_TASK_COUNT"), "SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN");
        }
        if (env("JOB_COMPLETION_INDEX") is { } kid)
        {
            var kcount = env("HARNESS_SHARD_COUNT") ?? throw new HarnessException("JOB_COMPLETION_INDEX is set: also set HARNESS_SHARD_COUNT to the Job's completions.");
            return Check(Parse(kid, "JOB_COMPLETION_INDEX"), Parse(kcount, "HARNESS_SHARD_COUNT"), "JOB_COMPLETION_INDEX");
        }
        return (0, 1);
    }

    static int Parse(string v, string name) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) ? x
        : throw new HarnessException($"environment variable {name} = '{v}' is not an integer.");

    static (int, int) Check(int i, int n, string what) => n >= 1 && i >= 0 && i < n ? (i, n)
        : throw new HarnessException($"{what} = {i} is outside 0..{n - 1}.");
}
