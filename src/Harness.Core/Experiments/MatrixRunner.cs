using Harness.Config;
using Harness.Data;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Training;
using Harness.Unlearning;
using Harness.Util;

namespace Harness.Experiments;

public enum CellStatus { Computed, AlreadyDone, Ignored, Reused }

public sealed record CellOutcome(Cell Cell, CellStatus Status, string? Reason = null);

/// <summary>
/// Runs the cells of one matrix. Work shared by cells (the trained model of each data set and seed, the scoring pass of
/// each kernel) is computed once, under a lock so concurrent shards share it, and cached. Each cell writes its result
/// atomically with its fingerprint; a finished cell is reused only while its fingerprint is what the current experiments
/// file and code would produce, and recomputed otherwise. Cells whose computation is identical (another scorer or kernel
/// picked the same target, so the same forget set, algorithm and settings) are computed once and the others written from
/// it, naming it in SameAs. With `workers: N` the computations run in N processes that claim cells one at a time.
/// </summary>
public sealed class MatrixRunner
{
    readonly ExperimentsFile file;
    readonly MatrixSpec matrix;
    readonly Action<string> log;
    readonly Dictionary<(string, int), TrainedShared> trainedShared = new();
    readonly Dictionary<(string, int, string), ScoredShared> scoredShared = new();
    /// <summary>The model's Stein quantities, computed once for the kernels of a data set and seed that share score function, features and SSN mode.</summary>
    (string Key, SteinScoreResult Value)? stein;

    public MatrixRunner(ExperimentsFile file, MatrixSpec matrix, string resultsRoot, string? dataRoot = null, string? cacheRoot = null, Action<string>? log = null)
    {
        this.file = file; this.matrix = matrix; ResultsRoot = resultsRoot; DataRoot = dataRoot; CacheRoot = cacheRoot;
        this.log = log ?? Console.Error.WriteLine;
    }

    public string ResultsRoot { get; }
    public string? DataRoot { get; }
    public string? CacheRoot { get; }

    sealed record TrainedShared(string? Unavailable, TrainedModel? Trained = null, DataSplits? Data = null, TrainOptions? Train = null,
        IReadOnlyList<KeyValuePair<string, string>>? Inputs = null, int CellThreads = 1);

    sealed record ScoredShared(PointScores Scores, int[] Neighbors, int K, string ScoresDir, ScoringOptions Scoring, IReadOnlyList<KeyValuePair<string, string>> Inputs);

    /// <summary>What a cell will compute: its target, forget set, settings, the fingerprint of all of it, and of the computation alone.</summary>
    sealed record Plan(int Target, int[] Forget, UnlearnSettings Settings, Fingerprint Fingerprint, string WorkKey);

    public TrainOptions TrainOptionsFor(string dataset, int seed)
    {
        var t = matrix.Training;
        return new TrainOptions
        {
            Dataset = dataset, Model = t.Model, Epochs = t.Epochs, Seed = seed, Threads = t.Threads, Device = t.Device,
            LearningRate = t.LearningRate, BatchSize = t.BatchSize, Optimizer = t.Optimizer, TrainLimit = t.TrainLimit,
            TestLimit = t.TestLimit, DataRoot = DataRoot, CacheRoot = CacheRoot, ConfigPath = file.Path,
        };
    }

    /// <summary>Why a cell cannot run here (absent data, no CUDA), or null when it can. Does not train anything.</summary>
    public string? Unavailable(string dataset, int seed)
    {
        var train = TrainOptionsFor(dataset, seed);
        try
        {
            Devices.Resolve(train.ResolveSettings().Device);
            DatasetLoader.CheckPresent(DatasetRegistry.WithDeclared(file.Path).Get(dataset), DataRoot);
            return null;
        }
        catch (HarnessException e) { return e.Message; }
    }

    Plan PlanFor(Cell cell, TrainedShared t, ScoredShared s)
    {
        var scorer = ScorerRegistry.Get(cell.Scorer);
        var picks = cell.Side == Side.Hard ? ScorerRegistry.Hardest(scorer, s.Scores, matrix.Points, matrix.Candidates)
            : ScorerRegistry.Easiest(scorer, s.Scores, matrix.Points, matrix.Candidates);
        if (cell.Slot >= picks.Length)
            throw new HarnessException($"matrix {matrix.Name}: {cell.Id} needs point {cell.Slot + 1} of the {SettingField.Format(matrix.Candidates)} candidates, but there are only {picks.Length}.");
        int target = picks[cell.Slot];
        var forget = new[] { target }.Concat(s.Neighbors.AsSpan(target * s.K, cell.Expansion).ToArray()).ToArray();
        var settings = matrix.UnlearnSettingsFor(cell.Unlearner, cell.Dataset) with { Seed = cell.Seed };
        // The computation: model, data, code, runtime, the forget set, the algorithm and its settings, the evaluation.
        var work = new List<KeyValuePair<string, string>>(t.Inputs!)
        {
            new("cell.target", $"{target}"), new("cell.expansion", $"{cell.Expansion}"), new("cell.seed", $"{cell.Seed}"), new("cell.unlearner", cell.Unlearner),
            new("cell.forget_set", ForgetSetHash(forget)), new("evaluation.remain_sample", $"{matrix.RemainSample}"),
        };
        work.AddRange(Fingerprint.Flatten($"unlearning.{cell.Unlearner}", settings));
        // The cell: also what picked the target (scores of this kernel, scorer, side, slot, candidates).
        var inputs = new List<KeyValuePair<string, string>>(work)
        {
            new("cell.kernel", cell.Kernel), new("cell.scorer", cell.Scorer), new("cell.side", cell.SideName), new("cell.slot", $"{cell.Slot}"),
            new("cell.candidates", SettingField.Format(matrix.Candidates)),
        };
        inputs.AddRange(s.Inputs);
        return new Plan(target, forget, settings, Fingerprint.Of(inputs), Fingerprint.Of(work).Hash);
    }

    static string ForgetSetHash(int[] forget) =>
        $"{forget.Length} points, sha256 " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(forget.AsSpan())))[..16];

    /// <summary>A finished cell's result, or null when there is none or it cannot be read.</summary>
    static CellResult? Recorded(string path)
    {
        if (!File.Exists(path)) return null;
        try { return Json.Deserialize<CellResult>(File.ReadAllText(path)); }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or NotSupportedException) { return null; }
    }

    (TrainedShared T, ScoredShared? S) SharedFor(Cell cell)
    {
        var t = TrainedFor(cell.Dataset, cell.Seed);
        return t.Unavailable != null ? (t, null) : (t, ScoredFor(cell.Dataset, cell.Seed, cell.Kernel, t));
    }

    /// <summary>Computes one cell (the caller has decided it must run) and writes its result.</summary>
    CellResult Compute(Cell cell, TrainedShared t, ScoredShared s, Plan plan)
    {
        var options = new UnlearnOptions { Train = t.Train!, Algorithm = cell.Unlearner, Target = plan.Target, Expansion = cell.Expansion, RemainSample = matrix.RemainSample };
        var report = UnlearnJob.Measure(UnlearnerRegistry.Get(cell.Unlearner), plan.Settings, t.Trained!, t.Data!, plan.Forget,
            $"{Path.Combine(s.ScoresDir, "neighbors", "indices.npy")} (top-{cell.Expansion} of {s.K})", options, threads: t.CellThreads);
        var result = CellResult.From(cell, plan.Target, report, Configuration(t, s, plan), GitInfo.Commit, plan.Fingerprint, plan.WorkKey);
        AtomicFile.WriteAllText(cell.ResultPath(ResultsRoot), Json.Serialize(result));
        return result;
    }

    object Configuration(TrainedShared t, ScoredShared s, Plan plan) => new
    {
        ExperimentsFile = file.Path, Matrix = matrix.Name, Model = t.Trained!.ModelName, Training = t.Trained.Settings,
        TrainCount = t.Data!.Train.Count, TestCount = t.Data.Test.Count, Scoring = s.Scoring, Candidates = SettingField.Format(matrix.Candidates),
        RemainSample = matrix.RemainSample, CellThreads = t.CellThreads, Unlearning = (object)plan.Settings, CheckpointPath = t.Trained.CheckpointPath,
    };

    /// <summary>A cell written from another cell's identical computation: its metrics, this cell's identity and fingerprint.</summary>
    void WriteCopy(Cell cell, CellResult source, TrainedShared t, ScoredShared s, Plan plan)
    {
        var copy = source with
        {
            Cell = cell.Id, Matrix = cell.Matrix, Kernel = cell.Kernel, Scorer = cell.Scorer, Side = cell.SideName, Slot = cell.Slot,
            Configuration = Configuration(t, s, plan), Fingerprint = plan.Fingerprint, SameAs = source.SameAs ?? source.Cell,
        };
        AtomicFile.WriteAllText(cell.ResultPath(ResultsRoot), Json.Serialize(copy));
    }

    /// <summary>
    /// Runs one cell unless its result exists with the fingerprint the current inputs give; when another cell of the
    /// matrix already made the identical computation (same work key, current result), this one is written from it.
    /// </summary>
    public CellOutcome RunCell(Cell cell)
    {
        var (t, s) = SharedFor(cell);
        if (s == null) return new CellOutcome(cell, CellStatus.Ignored, t.Unavailable);
        var plan = PlanFor(cell, t, s);
        if (Recorded(cell.ResultPath(ResultsRoot))?.Fingerprint?.Hash == plan.Fingerprint.Hash) return new CellOutcome(cell, CellStatus.AlreadyDone);
        foreach (var other in Matrices.Cells(matrix).Where(c => c != cell && c.Dataset == cell.Dataset && c.Seed == cell.Seed && c.Unlearner == cell.Unlearner && c.Expansion == cell.Expansion))
        {
            var (ot, os) = SharedFor(other);
            var otherPlan = PlanFor(other, ot, os!);
            if (otherPlan.WorkKey != plan.WorkKey) continue;
            if (Recorded(other.ResultPath(ResultsRoot)) is { } twin && twin.Fingerprint?.Hash == otherPlan.Fingerprint.Hash)
            {
                WriteCopy(cell, twin, t, s, plan);
                return new CellOutcome(cell, CellStatus.Reused, twin.Cell);
            }
        }
        Compute(cell, t, s, plan);
        return new CellOutcome(cell, CellStatus.Computed);
    }

    /// <summary>Starts worker process i of n; the runner waits for it. Null when this host cannot start workers (cells then run here).</summary>
    public Func<int, int, System.Diagnostics.Process>? StartWorker { get; init; }

    /// <summary>
    /// Runs the given cells with progress and ETA; returns what happened to each. Cells whose result exists with the
    /// current fingerprint are reused without counting on the bar (so after a resume the ETA measures only the work still
    /// to do); stale ones are named up front with what changed, and recomputed; a cell whose computation another cell
    /// already made (or makes in this run) is written from it.
    /// </summary>
    public IReadOnlyList<CellOutcome> Run(IReadOnlyList<Cell> cells, IProgress? progress = null)
    {
        // Shared work (training, scoring) first: the fingerprints need it, and the bar's ETA then measures cells only.
        var plans = new Dictionary<Cell, (TrainedShared T, ScoredShared? S, Plan? P)>();
        foreach (var cell in cells)
        {
            var (t, s) = SharedFor(cell);
            plans[cell] = (t, s, s == null ? null : PlanFor(cell, t, s));
        }
        var outcomes = new Dictionary<Cell, CellOutcome>();
        var stale = new List<(Cell Cell, string Why)>();
        var finishedByWork = new Dictionary<string, CellResult>();
        var pending = new List<Cell>();
        foreach (var cell in cells)
        {
            var (t, _, plan) = plans[cell];
            if (plan == null) { outcomes[cell] = new CellOutcome(cell, CellStatus.Ignored, t.Unavailable); continue; }
            var was = Recorded(cell.ResultPath(ResultsRoot));
            if (was?.Fingerprint?.Hash == plan.Fingerprint.Hash)
            {
                outcomes[cell] = new CellOutcome(cell, CellStatus.AlreadyDone);
                finishedByWork.TryAdd(plan.WorkKey, was); // a copy carries the identical computation's numbers too
                continue;
            }
            pending.Add(cell);
            if (was != null || File.Exists(cell.ResultPath(ResultsRoot)))
                stale.Add((cell, was?.Fingerprint == null ? "no fingerprint (an older or unreadable result)" : Fingerprint.Describe(Fingerprint.Differences(was.Fingerprint, plan.Fingerprint))));
        }
        if (stale.Count > 0)
            log($"{stale.Count} cells stale: " + string.Join("; ", stale.GroupBy(x => x.Why).OrderByDescending(g => g.Count())
                .Take(3).Select(g => stale.Count == g.Count() ? g.Key : $"{g.Count()}: {g.Key}")) + "; recomputing");
        // A stale result is never left beside the run as if it were current.
        foreach (var (cell, _) in stale) File.Delete(cell.ResultPath(ResultsRoot));

        // One computation per work key: the first pending cell computes, the others are written from it.
        var primaries = pending.Where(c => !finishedByWork.ContainsKey(plans[c].P!.WorkKey)).GroupBy(c => plans[c].P!.WorkKey).Select(g => g.First()).ToList();
        int reused = cells.Count - pending.Count;
        string label = matrix.Name + (reused > 0 ? $" ({reused} finished cells reused)" : "") + (pending.Count > primaries.Count ? $" ({pending.Count - primaries.Count} cells share another's computation)" : "");
        int workers = Math.Min(matrix.Workers, primaries.Count);
        if (workers > 1 && StartWorker != null) RunInWorkers(primaries, workers, label, progress);
        else
        {
            progress?.Start(label, primaries.Count);
            int done = 0;
            foreach (var cell in primaries)
            {
                var (t, s, plan) = plans[cell];
                Compute(cell, t, s!, plan!);
                progress?.Report(++done, $"{cell.Id} computed");
            }
            progress?.Finish();
        }
        foreach (var cell in primaries)
        {
            var result = Recorded(cell.ResultPath(ResultsRoot));
            if (result?.Fingerprint?.Hash != plans[cell].P!.Fingerprint.Hash)
                throw new HarnessException($"{cell.Id}: no result after the run (a worker failed); see {WorkerLog(0).Replace("worker-0", "worker-*")}.");
            finishedByWork[plans[cell].P!.WorkKey] = result!;
            outcomes[cell] = new CellOutcome(cell, CellStatus.Computed);
        }
        foreach (var cell in pending.Where(c => !outcomes.ContainsKey(c)))
        {
            var (t, s, plan) = plans[cell];
            WriteCopy(cell, finishedByWork[plan!.WorkKey], t, s!, plan);
            outcomes[cell] = new CellOutcome(cell, CellStatus.Reused, finishedByWork[plan.WorkKey].Cell);
        }
        return cells.Select(c => outcomes[c]).ToList();
    }

    string WorkerLog(int i) => Path.Combine(ResultsRoot, matrix.Name, "workers", $"worker-{i}.log");

    static string ClaimPath(string resultPath) => resultPath + ".claim";

    /// <summary>Starts the worker processes, shows their progress from the result files, and waits for them.</summary>
    void RunInWorkers(IReadOnlyList<Cell> primaries, int workers, string label, IProgress? progress)
    {
        foreach (var c in primaries)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(c.ResultPath(ResultsRoot))!);
            File.Delete(ClaimPath(c.ResultPath(ResultsRoot))); // left by an interrupted run
        }
        log($"{matrix.Name}: {primaries.Count} computations in {workers} worker processes of {trainedShared.Values.First(t => t.Unavailable == null).CellThreads} thread(s) each; logs in {Path.GetDirectoryName(WorkerLog(0))}");
        var processes = Enumerable.Range(0, workers).Select(i => StartWorker!(i, workers)).ToList();
        progress?.Start(label, primaries.Count);
        while (true)
        {
            bool running = processes.Any(p => !p.HasExited);
            int done = primaries.Count(c => File.Exists(c.ResultPath(ResultsRoot)));
            progress?.Report(done, $"{done} of {primaries.Count} computed");
            if (!running) break;
            Thread.Sleep(500);
        }
        progress?.Finish();
        foreach (var p in processes) p.WaitForExit(); // output drained into the logs
        var failed = processes.Select((p, i) => (p, i)).Where(x => x.p.ExitCode != 0).ToList();
        if (failed.Count > 0)
        {
            var (p, i) = failed[0];
            var tail = File.Exists(WorkerLog(i)) ? string.Join("\n", File.ReadLines(WorkerLog(i)).TakeLast(15)) : "(no log)";
            throw new HarnessException($"worker {i} of {workers} exited with code {p.ExitCode}; the end of {WorkerLog(i)}:\n{tail}");
        }
    }

    /// <summary>
    /// A worker process: computes the pending cells that no other worker has claimed (a claim is a file made with
    /// CreateNew next to the result), one at a time, until none is left. Copies are left to the parent.
    /// </summary>
    public int RunWorker(IReadOnlyList<Cell> cells, int index, int count)
    {
        int computed = 0;
        var seen = new HashSet<string>();
        foreach (var cell in cells)
        {
            var (t, s) = SharedFor(cell);
            if (s == null) continue;
            var plan = PlanFor(cell, t, s);
            var path = cell.ResultPath(ResultsRoot);
            if (!seen.Add(plan.WorkKey) || Recorded(path)?.Fingerprint?.Hash == plan.Fingerprint.Hash) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            FileStream claim;
            try { claim = new FileStream(ClaimPath(path), FileMode.CreateNew, FileAccess.Write); }
            catch (IOException) { continue; } // another worker has it
            using (claim)
            {
                // The parent's plan may make this cell a copy of one finished earlier; the parent then has no claim on it.
                log($"worker {index}/{count}: {cell.Id}");
                Compute(cell, t, s, plan);
                computed++;
            }
            File.Delete(ClaimPath(path));
        }
        log($"worker {index}/{count}: {computed} cells computed");
        return computed;
    }

    /// <summary>The matrix's trained model of a data set and seed (trained or loaded once), and the fingerprint inputs it contributes; null with why when it cannot run here.</summary>
    public (TrainedModel Trained, DataSplits Data, IReadOnlyList<KeyValuePair<string, string>> Inputs)? Model(string dataset, int seed, out string? unavailable)
    {
        var t = TrainedFor(dataset, seed);
        unavailable = t.Unavailable;
        return t.Unavailable != null ? null : (t.Trained!, t.Data!, t.Inputs!);
    }

    /// <summary>The matrix's scores of a kernel (computed or reused once): the table, the n×K neighbour lists, their folder, and their fingerprint inputs.</summary>
    public (PointScores Scores, int[] Neighbors, int K, string Dir, IReadOnlyList<KeyValuePair<string, string>> Inputs) Scores(string dataset, int seed, string kernel)
    {
        var t = TrainedFor(dataset, seed);
        if (t.Unavailable != null) throw new HarnessException(t.Unavailable);
        var s = ScoredFor(dataset, seed, kernel, t);
        return (s.Scores, s.Neighbors, s.K, s.ScoresDir, s.Inputs);
    }

    TrainedShared TrainedFor(string dataset, int seed)
    {
        if (trainedShared.TryGetValue((dataset, seed), out var t)) return t;
        var train = TrainOptionsFor(dataset, seed);
        string? why = Unavailable(dataset, seed);
        if (why != null) return trainedShared[(dataset, seed)] = new TrainedShared(why);

        var (trained, data, trainReport) = TrainJob.Run(train, new ConsoleProgress(), log);
        var dir = Path.Combine(ResultsRoot, matrix.Name, "shared", $"{dataset}-s{seed}");
        AtomicFile.WriteAllText(Path.Combine(dir, "train.json"), Json.Serialize(trainReport));
        int cellThreads = matrix.CellThreads(trained.Threads);
        var inputs = new List<KeyValuePair<string, string>>
        {
            new("data.name", data.Name), new("data.train_sha256", data.Train.Fingerprint()), new("data.test_sha256", data.Test.Fingerprint()),
            new("data.train_count", $"{data.Train.Count}"), new("data.test_count", $"{data.Test.Count}"),
            new("training.model", trained.ModelName), new("training.checkpoint_sha256", trained.Checkpoint.Sha256),
            new("runtime.threads", $"{trained.Threads}"), new("runtime.cell_threads", $"{cellThreads}"),
            new("runtime.device", trained.Device.type.ToString().ToLowerInvariant()), new("runtime.cpu_isa", CpuIsa.Describe()),
            new("versions.torchsharp", Versions.TorchSharp), new("versions.libtorch", Versions.LibTorch),
            new("code.training", CodeVersion.Training), new("code.scoring", CodeVersion.Scoring), new("code.unlearning", CodeVersion.Unlearning),
        };
        inputs.AddRange(Fingerprint.Flatten("training", trained.Settings));
        return trainedShared[(dataset, seed)] = new TrainedShared(null, trained, data, train, inputs, cellThreads);
    }

    ScoredShared ScoredFor(string dataset, int seed, string kernel, TrainedShared t)
    {
        if (scoredShared.TryGetValue((dataset, seed, kernel), out var s)) return s;
        var scoring = matrix.KernelNamed(kernel);
        var trained = t.Trained!;
        var data = t.Data!;
        var dir = Path.Combine(ResultsRoot, matrix.Name, "shared", $"{dataset}-s{seed}", kernel);
        var key = Json.Serialize(new { trained.CheckpointPath, CheckpointSha256 = trained.Checkpoint.Sha256, scoring, matrix.Candidates, data.Train.Count, Code = CodeVersion.Scoring, Isa = CpuIsa.Describe() });
        var keyPath = Path.Combine(dir, "scoring-key.json");
        PointScores scores;
        // One process scores a kernel of a data set; other shards and workers on the same results folder wait and reuse its scores.
        using (FileLock.Acquire(Path.Combine(dir, "scoring.lock"), $"{matrix.Name} {kernel} scores of {dataset} (seed {seed})", log))
        {
            if (File.Exists(keyPath) && File.ReadAllText(keyPath) == key && File.Exists(Path.Combine(dir, "meta.json")))
            {
                log($"{matrix.Name}: reusing the {kernel} scores in {dir}");
                scores = PointScores.ReadCsv(Path.Combine(dir, "scores.csv"));
            }
            else
            {
                if (File.Exists(keyPath)) File.Delete(keyPath);
                var options = new ScoreOptions { Train = t.Train!, Scoring = scoring, Candidates = matrix.Candidates, OutDir = dir };
                var steinKey = $"{dataset}/{seed}/{trained.Checkpoint.Sha256}/{scoring.Score}/{scoring.Features}/{scoring.Ssn}/{scoring.ScoreBatch}";
                if (stein?.Key != steinKey)
                {
                    stein?.Value.Dispose();
                    stein = (steinKey, ScoreJob.SteinFor(options, trained, data));
                }
                scores = ScoreJob.Run(options, trained, data, new ConsoleProgress(), log, stein.Value.Value).Scores;
                AtomicFile.WriteAllText(keyPath, key);
            }
        }
        var neighborsPath = Path.Combine(dir, "neighbors", "indices.npy");
        var (shape, neighbors) = Npy.Read<int>(neighborsPath, scores.Count, -1);
        var inputs = new List<KeyValuePair<string, string>>
        {
            new("scoring.scores_sha256", Fingerprint.FileHash(Path.Combine(dir, "scores.csv"))), new("scoring.neighbors_sha256", Fingerprint.FileHash(neighborsPath)),
        };
        // Where the spill file goes changes nothing in the results.
        inputs.AddRange(Fingerprint.Flatten("scoring", scoring).Where(kv => kv.Key != "scoring.scratch"));
        return scoredShared[(dataset, seed, kernel)] = new ScoredShared(scores, neighbors, (int)shape[1], dir, scoring, inputs);
    }
}
