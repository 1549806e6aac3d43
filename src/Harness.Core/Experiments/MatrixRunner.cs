using Harness.Config;
using Harness.Data;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Training;
using Harness.Unlearning;
using Harness.Util;

namespace Harness.Experiments;

public enum CellStatus { Computed, AlreadyDone, Ignored }

public sealed record CellOutcome(Cell Cell, CellStatus Status, string? Reason = null);

/// <summary>
/// Runs the cells of one matrix. Work shared by cells (the trained model and the scoring pass of each data set and seed)
/// is computed once, under a lock so concurrent shards share it, and cached. Each cell writes its result atomically
/// with its fingerprint; a finished cell is reused only while its fingerprint is what the current experiments file and
/// code would produce, and recomputed otherwise.
/// </summary>
public sealed class MatrixRunner
{
    readonly ExperimentsFile file;
    readonly MatrixSpec matrix;
    readonly Action<string> log;
    readonly Dictionary<(string, int), Shared> shared = new();

    public MatrixRunner(ExperimentsFile file, MatrixSpec matrix, string resultsRoot, string? dataRoot = null, string? cacheRoot = null, Action<string>? log = null)
    {
        this.file = file; this.matrix = matrix; ResultsRoot = resultsRoot; DataRoot = dataRoot; CacheRoot = cacheRoot;
        this.log = log ?? Console.Error.WriteLine;
    }

    public string ResultsRoot { get; }
    public string? DataRoot { get; }
    public string? CacheRoot { get; }

    sealed record Shared(string? Unavailable, TrainedModel? Trained = null, DataSplits? Data = null, PointScores? Scores = null,
        int[]? Neighbors = null, int K = 0, string ScoresDir = "", TrainOptions? Train = null, IReadOnlyList<KeyValuePair<string, string>>? Inputs = null);

    /// <summary>What a cell will compute: its target, forget set, settings and the fingerprint of all of it.</summary>
    sealed record Plan(int Target, int[] Forget, UnlearnSettings Settings, Fingerprint Fingerprint);

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

    Plan PlanFor(Cell cell, Shared s)
    {
        var scorer = ScorerRegistry.Get(cell.Scorer);
        var picks = cell.Side == Side.Hard ? ScorerRegistry.Hardest(scorer, s.Scores!, matrix.Points) : ScorerRegistry.Easiest(scorer, s.Scores!, matrix.Points);
        int target = picks[cell.Slot];
        var forget = new[] { target }.Concat(s.Neighbors!.AsSpan(target * s.K, cell.Expansion).ToArray()).ToArray();
        var settings = matrix.UnlearnSettingsFor(cell.Unlearner, cell.Dataset) with { Seed = cell.Seed };
        var inputs = new List<KeyValuePair<string, string>>(s.Inputs!)
        {
            new("cell.scorer", cell.Scorer), new("cell.side", cell.SideName), new("cell.slot", $"{cell.Slot}"), new("cell.target", $"{target}"),
            new("cell.expansion", $"{cell.Expansion}"), new("cell.seed", $"{cell.Seed}"), new("cell.unlearner", cell.Unlearner),
            new("cell.forget_set", ForgetSetHash(forget)),
        };
        inputs.AddRange(Fingerprint.Flatten($"unlearning.{cell.Unlearner}", settings));
        return new Plan(target, forget, settings, Fingerprint.Of(inputs));
    }

    static string ForgetSetHash(int[] forget) =>
        $"{forget.Length} points, sha256 " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(forget.AsSpan())))[..16];

    /// <summary>The fingerprint recorded in a finished cell's file, or null when it has none or cannot be read.</summary>
    static Fingerprint? Recorded(string path)
    {
        try { return Json.Deserialize<CellResult>(File.ReadAllText(path)).Fingerprint; }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or NotSupportedException) { return null; }
    }

    /// <summary>Runs one cell unless its result exists with the fingerprint the current inputs give.</summary>
    public CellOutcome RunCell(Cell cell)
    {
        var s = SharedFor(cell.Dataset, cell.Seed);
        if (s.Unavailable != null) return new CellOutcome(cell, CellStatus.Ignored, s.Unavailable);
        var plan = PlanFor(cell, s);
        var path = cell.ResultPath(ResultsRoot);
        if (File.Exists(path) && Recorded(path)?.Hash == plan.Fingerprint.Hash) return new CellOutcome(cell, CellStatus.AlreadyDone);

        var options = new UnlearnOptions { Train = s.Train!, Algorithm = cell.Unlearner, Target = plan.Target, Expansion = cell.Expansion };
        var report = UnlearnJob.Measure(UnlearnerRegistry.Get(cell.Unlearner), plan.Settings, s.Trained!, s.Data!, plan.Forget,
            $"{Path.Combine(s.ScoresDir, "neighbors", "indices.npy")} (top-{cell.Expansion} of {s.K})", options);
        var configuration = new
        {
            ExperimentsFile = file.Path, Matrix = matrix.Name, Model = s.Trained!.ModelName, Training = s.Trained.Settings,
            TrainCount = s.Data!.Train.Count, TestCount = s.Data.Test.Count, Scoring = matrix.Scoring, Unlearning = (object)plan.Settings,
            CheckpointPath = s.Trained.CheckpointPath,
        };
        AtomicFile.WriteAllText(path, Json.Serialize(CellResult.From(cell, plan.Target, report, configuration, GitInfo.Commit, plan.Fingerprint)));
        return new CellOutcome(cell, CellStatus.Computed);
    }

    /// <summary>
    /// Runs the given cells in order with progress and ETA; returns what happened to each. Cells whose result exists with
    /// the current fingerprint are reused without counting on the bar (so after a resume the ETA measures only the cells
    /// still to run); stale ones are named up front with what changed, and recomputed.
    /// </summary>
    public IReadOnlyList<CellOutcome> Run(IReadOnlyList<Cell> cells, IProgress? progress = null)
    {
        // Shared work (training, scoring) first: the fingerprints need it, and the bar's ETA then measures cells only.
        foreach (var g in cells.Select(c => (c.Dataset, c.Seed)).Distinct())
            SharedFor(g.Dataset, g.Seed);
        var pending = new List<Cell>();
        var stale = new List<(Cell Cell, string Why)>();
        foreach (var cell in cells)
        {
            var s = shared[(cell.Dataset, cell.Seed)];
            var path = cell.ResultPath(ResultsRoot);
            if (s.Unavailable != null || !File.Exists(path)) { pending.Add(cell); continue; }
            var now = PlanFor(cell, s).Fingerprint;
            var was = Recorded(path);
            if (was?.Hash == now.Hash) continue;
            pending.Add(cell);
            stale.Add((cell, was == null ? "no fingerprint (an older or unreadable result)" : Fingerprint.Describe(Fingerprint.Differences(was, now))));
        }
        if (stale.Count > 0)
            log($"{stale.Count} cells stale: " + string.Join("; ", stale.GroupBy(x => x.Why).OrderByDescending(g => g.Count())
                .Take(3).Select(g => stale.Count == g.Count() ? g.Key : $"{g.Count()}: {g.Key}")) + "; recomputing");
        var pendingSet = pending.ToHashSet();
        int reused = cells.Count - pending.Count;
        progress?.Start(reused > 0 ? $"{matrix.Name} ({reused} finished cells reused)" : matrix.Name, pending.Count);
        var outcomes = new Dictionary<Cell, CellOutcome>();
        int done = 0;
        foreach (var cell in cells)
        {
            if (!pendingSet.Contains(cell)) { outcomes[cell] = new CellOutcome(cell, CellStatus.AlreadyDone); continue; }
            var outcome = RunCell(cell);
            outcomes[cell] = outcome;
            progress?.Report(++done, $"{cell.Id} {outcome.Status.ToString().ToLowerInvariant()}");
        }
        progress?.Finish();
        return cells.Select(c => outcomes[c]).ToList();
    }

    Shared SharedFor(string dataset, int seed)
    {
        if (shared.TryGetValue((dataset, seed), out var s)) return s;
        var train = TrainOptionsFor(dataset, seed);
        string? why = Unavailable(dataset, seed);
        if (why != null) return shared[(dataset, seed)] = new Shared(why);

        var (trained, data, trainReport) = TrainJob.Run(train, new ConsoleProgress(), log);
        var dir = Path.Combine(ResultsRoot, matrix.Name, "shared", $"{dataset}-s{seed}");
        AtomicFile.WriteAllText(Path.Combine(dir, "train.json"), Json.Serialize(trainReport));
        var key = Json.Serialize(new { trained.CheckpointPath, CheckpointSha256 = trained.Checkpoint.Sha256, matrix.Scoring, data.Train.Count, Code = CodeVersion.Scoring, Isa = CpuIsa.Describe() });
        var keyPath = Path.Combine(dir, "scoring-key.json");
        PointScores scores;
        // One process scores a data set of a matrix; other shards on the same results folder wait and reuse its scores.
        using (FileLock.Acquire(Path.Combine(dir, "scoring.lock"), $"{matrix.Name} scores of {dataset} (seed {seed})", log))
        {
            if (File.Exists(keyPath) && File.ReadAllText(keyPath) == key && File.Exists(Path.Combine(dir, "meta.json")))
            {
                log($"{matrix.Name}: reusing the scores in {dir}");
                scores = PointScores.ReadCsv(Path.Combine(dir, "scores.csv"));
            }
            else
            {
                if (File.Exists(keyPath)) File.Delete(keyPath);
                scores = ScoreJob.Run(new ScoreOptions { Train = train, Scoring = matrix.Scoring, OutDir = dir }, trained, data, new ConsoleProgress(), log).Scores;
                AtomicFile.WriteAllText(keyPath, key);
            }
        }
        var neighborsPath = Path.Combine(dir, "neighbors", "indices.npy");
        var (shape, neighbors) = Npy.Read<int>(neighborsPath, scores.Count, -1);
        var inputs = new List<KeyValuePair<string, string>>
        {
            new("data.name", data.Name), new("data.train_sha256", data.Train.Fingerprint()), new("data.test_sha256", data.Test.Fingerprint()),
            new("data.train_count", $"{data.Train.Count}"), new("data.test_count", $"{data.Test.Count}"),
            new("training.model", trained.ModelName), new("training.checkpoint_sha256", trained.Checkpoint.Sha256),
            new("scoring.scores_sha256", Fingerprint.FileHash(Path.Combine(dir, "scores.csv"))), new("scoring.neighbors_sha256", Fingerprint.FileHash(neighborsPath)),
            new("runtime.threads", $"{trained.Threads}"), new("runtime.device", trained.Device.type.ToString().ToLowerInvariant()), new("runtime.cpu_isa", CpuIsa.Describe()),
            new("versions.torchsharp", Versions.TorchSharp), new("versions.libtorch", Versions.LibTorch),
            new("code.training", CodeVersion.Training), new("code.scoring", CodeVersion.Scoring), new("code.unlearning", CodeVersion.Unlearning),
        };
        inputs.AddRange(Fingerprint.Flatten("training", trained.Settings));
        // Where the spill file goes changes nothing in the results.
        inputs.AddRange(Fingerprint.Flatten("scoring", matrix.Scoring).Where(kv => kv.Key != "scoring.scratch"));
        return shared[(dataset, seed)] = new Shared(null, trained, data, scores, neighbors, (int)shape[1], dir, train, inputs);
    }
}
