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
/// is computed once and cached; each cell writes its result atomically, and a finished cell is never recomputed.
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
        int[]? Neighbors = null, int K = 0, string ScoresDir = "", TrainOptions? Train = null);

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

    public CellOutcome RunCell(Cell cell)
    {
        var path = cell.ResultPath(ResultsRoot);
        if (File.Exists(path)) return new CellOutcome(cell, CellStatus.AlreadyDone);
        var s = SharedFor(cell.Dataset, cell.Seed);
        if (s.Unavailable != null) return new CellOutcome(cell, CellStatus.Ignored, s.Unavailable);

        var scorer = ScorerRegistry.Get(cell.Scorer);
        var picks = cell.Side == Side.Hard ? ScorerRegistry.Hardest(scorer, s.Scores!, matrix.Points) : ScorerRegistry.Easiest(scorer, s.Scores!, matrix.Points);
        int target = picks[cell.Slot];
        var forget = new[] { target }.Concat(s.Neighbors!.AsSpan(target * s.K, cell.Expansion).ToArray()).ToArray();
        var settings = matrix.UnlearnSettingsFor(cell.Unlearner, cell.Dataset) with { Seed = cell.Seed };
        var options = new UnlearnOptions { Train = s.Train!, Algorithm = cell.Unlearner, Target = target, Expansion = cell.Expansion };
        var report = UnlearnJob.Measure(UnlearnerRegistry.Get(cell.Unlearner), settings, s.Trained!, s.Data!, forget,
            $"{Path.Combine(s.ScoresDir, "neighbors", "indices.npy")} (top-{cell.Expansion} of {s.K})", options);
        var configuration = new
        {
            ExperimentsFile = file.Path, Matrix = matrix.Name, Model = s.Trained!.ModelName, Training = s.Trained.Settings,
            TrainCount = s.Data!.Train.Count, TestCount = s.Data.Test.Count, Scoring = matrix.Scoring, Unlearning = (object)settings,
            CheckpointPath = s.Trained.CheckpointPath,
        };
        AtomicFile.WriteAllText(path, Json.Serialize(CellResult.From(cell, target, report, configuration, GitInfo.Commit)));
        return new CellOutcome(cell, CellStatus.Computed);
    }

    /// <summary>
    /// Runs the given cells in order with progress and ETA; returns what happened to each. Finished cells are reused
    /// without counting on the bar, so after a resume the ETA measures only the cells still to run.
    /// </summary>
    public IReadOnlyList<CellOutcome> Run(IReadOnlyList<Cell> cells, IProgress? progress = null)
    {
        var pending = cells.Where(c => !File.Exists(c.ResultPath(ResultsRoot))).ToList();
        // Shared work (training, scoring) first, so the progress bar's ETA measures cells only.
        foreach (var g in pending.Select(c => (c.Dataset, c.Seed)).Distinct())
            SharedFor(g.Dataset, g.Seed);
        int reused = cells.Count - pending.Count;
        var pendingSet = pending.ToHashSet();
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
        var key = Json.Serialize(new { trained.CheckpointPath, matrix.Scoring, data.Train.Count });
        var keyPath = Path.Combine(dir, "scoring-key.json");
        PointScores scores;
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
        var (shape, neighbors) = Npy.Read<int>(Path.Combine(dir, "neighbors", "indices.npy"));
        return shared[(dataset, seed)] = new Shared(null, trained, data, scores, neighbors, (int)shape[1], dir, train);
    }
}
