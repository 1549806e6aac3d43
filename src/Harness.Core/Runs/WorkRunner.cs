using System.Diagnostics;
using System.Globalization;

namespace Harness.Runs;

/// <summary>
/// One unit of resumable work (a matrix cell, a study point, …): a content id (which also decides its shard), the one
/// result file it writes, and the fingerprint of everything that determines that result. The result file is JSON with a
/// top-level `fingerprint`; it is current while that fingerprint is the unit's.
/// </summary>
public sealed record WorkUnit<T>(string Id, string ResultPath, Fingerprint Fingerprint, T Item);

/// <summary>
/// Runs units of resumable work the same way for every kind: plans each unit once, tells current from stale (saying what
/// changed) and deletes stale results, then computes the pending units here or in claim-based worker processes (each
/// unit claimed by a file made with CreateNew beside its result), with progress and ETA; sharding (`--shard i/n`, Slurm,
/// Kubernetes) is by id. Results are written by the compute function, atomically; a unit is done when its result file
/// carries its fingerprint.
/// </summary>
public sealed class WorkRunner(string name, ResultsLayout layout, string what, Action<string> log)
{
    /// <summary>Starts worker process i of n (the same command with `--worker i/n`); null where this host cannot start workers (units then run here).</summary>
    public Func<int, int, Process>? StartWorker { get; init; }

    /// <summary>Worker processes to use for the pending units (1: compute them here).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>The phase the worker processes run (null: the main units); names their logs.</summary>
    public string? Phase { get; init; }

    sealed record Recorded(Fingerprint? Fingerprint);

    /// <summary>The fingerprint a result file records; null when the file is missing, unreadable or has none.</summary>
    public static Fingerprint? RecordedFingerprint(string path)
    {
        if (!File.Exists(path)) return null;
        try { return Json.Deserialize<Recorded>(File.ReadAllText(path)).Fingerprint; }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or NotSupportedException) { return null; }
    }

    public static bool IsCurrent<T>(WorkUnit<T> unit) => SealedRecord.Problem(unit.ResultPath) == null && RecordedFingerprint(unit.ResultPath)?.Hash == unit.Fingerprint.Hash;

    /// <summary>The units of shard i of n: FNV-1a of the id modulo n, so reordering the YAML moves nothing.</summary>
    public static IEnumerable<WorkUnit<T>> Shard<T>(IEnumerable<WorkUnit<T>> units, (int Index, int Count) shard) =>
        units.Where(u => Sharding.Of(u.Id, shard.Count) == shard.Index);

    /// <summary>
    /// Splits units into current and pending. Stale results (another fingerprint, or none readable) are named up front
    /// with what changed, and deleted, so none is ever left beside the run as if it were current.
    /// </summary>
    public (List<WorkUnit<T>> Current, List<WorkUnit<T>> Pending) Plan<T>(IEnumerable<WorkUnit<T>> units)
    {
        var current = new List<WorkUnit<T>>();
        var pending = new List<WorkUnit<T>>();
        var stale = new List<(WorkUnit<T> Unit, string Why)>();
        foreach (var u in units)
        {
            var damaged = SealedRecord.Problem(u.ResultPath);
            var was = damaged == null ? RecordedFingerprint(u.ResultPath) : null;
            if (was?.Hash == u.Fingerprint.Hash) { current.Add(u); continue; }
            pending.Add(u);
            if (damaged != null) stale.Add((u, "damaged on disk (it no longer matches its seal)"));
            else if (was != null || File.Exists(u.ResultPath))
                stale.Add((u, was == null ? "no fingerprint (an older or unreadable result)" : Fingerprint.Describe(Fingerprint.Differences(was, u.Fingerprint))));
        }
        if (stale.Count > 0)
            log($"{stale.Count} {what} stale: " + string.Join("; ", stale.GroupBy(x => x.Why).OrderByDescending(g => g.Count())
                .Take(3).Select(g => stale.Count == g.Count() ? g.Key : $"{g.Count()}: {g.Key}")) + "; recomputing");
        foreach (var (u, _) in stale) File.Delete(u.ResultPath);
        return (current, pending);
    }

    /// <summary>
    /// Computes the units (all pending, each once) here or in <see cref="Workers"/> worker processes, showing progress;
    /// afterwards every unit must have a current result, else the failure is reported with the workers' logs.
    /// </summary>
    public void Execute<T>(IReadOnlyList<WorkUnit<T>> units, Func<Action<WorkUnit<T>>> computer, string label, IProgress? progress)
    {
        if (units.Count == 0) return;
        int workers = Math.Min(Workers, units.Count);
        if (workers > 1 && StartWorker != null) RunInWorkers(units, workers, label, progress);
        else
        {
            var compute = computer();
            progress?.Start(label, units.Count);
            int done = 0;
            foreach (var u in units)
            {
                compute(u);
                progress?.Report(++done, $"{u.Id} computed");
            }
            progress?.Finish();
        }
        foreach (var u in units)
            if (!IsCurrent(u))
                throw new HarnessException($"{u.Id}: no result after the run (a worker failed); see the worker logs in {layout.Workers(name)}.");
    }

    /// <summary>Starts the worker processes, shows their progress from the result files, and waits for them.</summary>
    void RunInWorkers<T>(IReadOnlyList<WorkUnit<T>> units, int workers, string label, IProgress? progress)
    {
        foreach (var u in units)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(u.ResultPath)!);
            File.Delete(ClaimPath(u)); // left by an interrupted run
        }
        log($"{name}: {units.Count} {what} in {workers} worker processes; logs in {layout.Workers(name)}");
        var processes = Enumerable.Range(0, workers).Select(i => StartWorker!(i, workers)).ToList();
        progress?.Start(label, units.Count);
        while (true)
        {
            bool running = processes.Any(p => !p.HasExited);
            int done = units.Count(u => File.Exists(u.ResultPath));
            progress?.Report(done, $"{done} of {units.Count} computed");
            if (!running) break;
            Thread.Sleep(500);
        }
        progress?.Finish();
        foreach (var p in processes) p.WaitForExit(); // output drained into the logs
        var failed = processes.Select((p, i) => (p, i)).Where(x => x.p.ExitCode != 0).ToList();
        if (failed.Count > 0)
        {
            var (p, i) = failed[0];
            var logPath = layout.WorkerLog(name, i, Phase);
            if (p.ExitCode == EnvironmentErrors.ExitCode)
            {
                // the machine, not a bug: the worker's own one-line error says which path and what to do
                var line = File.Exists(logPath) ? File.ReadLines(logPath).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal)) : null;
                throw new EnvironmentFailureException($"worker {i} of {workers}: {line?["error: ".Length..] ?? $"an I/O failure; see {logPath}"}");
            }
            var account = File.Exists(logPath) ? WorkerLog.Describe(File.ReadAllLines(logPath)) : "(no log)";
            throw new HarnessException($"worker {i} of {workers} exited with code {p.ExitCode} (its log: {logPath}); {account}");
        }
    }

    /// <summary>The claim file a process holds while it computes the unit.</summary>
    public static string ClaimPath<T>(WorkUnit<T> u) => u.ResultPath + ".claim";

    /// <summary>
    /// A worker process: computes the given units that have no current result and that no other worker has claimed, one
    /// at a time, until none is left. Returns how many it computed.
    /// </summary>
    public int Work<T>(IEnumerable<WorkUnit<T>> units, Func<Action<WorkUnit<T>>> computer, int index, int count)
    {
        Action<WorkUnit<T>>? compute = null;
        int computed = 0;
        foreach (var u in units)
        {
            if (IsCurrent(u)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(u.ResultPath)!);
            FileStream claim;
            try { claim = new FileStream(ClaimPath(u), FileMode.CreateNew, FileAccess.Write); }
            catch (IOException) { continue; } // another worker has it
            using (claim)
            {
                log($"worker {index}/{count}: {u.Id}");
                var watch = Stopwatch.StartNew();
                compute ??= computer();
                compute(u);
                log(string.Create(CultureInfo.InvariantCulture, $"worker {index}/{count}: {u.Id} in {watch.Elapsed.TotalSeconds:F1} s"));
                computed++;
            }
            File.Delete(ClaimPath(u));
        }
        log($"worker {index}/{count}: {computed} {what} computed");
        return computed;
    }

    /// <summary>
    /// Computes the units here, side by side with other processes on the same results folder (shards of an array job):
    /// each unit is claimed first, so none is computed twice; then waits for the units others claimed. A claim whose
    /// process died stays until a run with worker processes clears it, so the wait names the claim file.
    /// </summary>
    public void Cooperate<T>(IReadOnlyList<WorkUnit<T>> units, Func<Action<WorkUnit<T>>> computer)
    {
        Work(units, computer, 0, 1);
        var said = new HashSet<string>();
        while (true)
        {
            var waiting = units.Where(u => !IsCurrent(u)).ToList();
            if (waiting.Count == 0) return;
            var unclaimed = waiting.Where(u => !File.Exists(ClaimPath(u))).ToList();
            if (unclaimed.Count > 0) { Work(unclaimed, computer, 0, 1); continue; }
            foreach (var u in waiting.Where(u => said.Add(u.Id)))
                log($"{name}: waiting for {u.Id}, claimed by another process ({ClaimPath(u)}; delete it if no process is computing it)");
            Thread.Sleep(2000);
        }
    }

    /// <summary>
    /// Work several units share (a trained model's scoring run, …): made once, under a lock beside it so that concurrent
    /// shards and workers wait for the one that makes it and then reuse it. <paramref name="reuse"/> returns the existing
    /// artefact when it is current, else null.
    /// </summary>
    public static T Prerequisite<T>(string lockPath, string description, Func<T?> reuse, Func<T> make, Action<string> log) where T : class
    {
        using var _ = FileLock.Acquire(lockPath, description, log);
        return reuse() ?? make();
    }
}
