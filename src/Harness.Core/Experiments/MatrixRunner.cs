using Harness.Evaluation;
using Harness.Runs;
using Harness.Data;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Training;
using Harness.Populations;
using Harness.Unlearning;

namespace Harness.Experiments;

public enum CellStatus { Computed, AlreadyDone, Ignored, Reused }

public sealed record CellOutcome(Cell Cell, CellStatus Status, string? Reason = null);

/// <summary>
/// Runs the cells of one matrix through the <see cref="WorkRunner"/>. Work shared by cells (the trained model of each data
/// set and seed, the scoring run of each kernel) is made once, under a lock so concurrent shards share it, and cached.
/// Each cell is planned once: its target and forget set, its settings, the fingerprint of all of it, and the work key
/// (the fingerprint of the computation alone). Cells whose computation is identical (another scorer or kernel picked the
/// same target, so the same forget set, algorithm and settings) are computed once and the others written from it,
/// naming it in SameAs.
/// </summary>
public sealed class MatrixRunner
{
    readonly ExperimentsFile file;
    readonly MatrixSpec matrix;
    readonly Action<string> log;
    readonly ResultsLayout layout;
    readonly Dictionary<(string, int), TrainedShared> trainedShared = new();
    readonly Dictionary<(string, int, string), ScoredShared> scoredShared = new();
    readonly Dictionary<(string, int), PopulationShared> populations = new();
    readonly Dictionary<Cell, Planned> plans = new();
    readonly Dictionary<string, Cell> cellsById = new();
    /// <summary>The model's Stein quantities, computed once for the kernels of a data set and seed that share score function, features and SSN mode.</summary>
    (string Key, SteinScoreResult Value)? stein;

    public MatrixRunner(ExperimentsFile file, MatrixSpec matrix, string resultsRoot, string? dataRoot = null, string? cacheRoot = null, Action<string>? log = null)
    {
        this.file = file; this.matrix = matrix; ResultsRoot = resultsRoot; DataRoot = dataRoot; CacheRoot = cacheRoot;
        this.log = log ?? Console.Error.WriteLine;
        layout = new ResultsLayout(resultsRoot);
    }

    /// <summary>Seconds this runner spent per stage (training or loading the models, scoring, the population, the cells), for the job's summary.</summary>
    public Dictionary<string, double> StageSeconds { get; } = new();

    double Timed<TResult>(string stage, Func<TResult> work, out TResult result)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        result = work();
        double s = watch.Elapsed.TotalSeconds;
        StageSeconds[stage] = StageSeconds.GetValueOrDefault(stage) + s;
        return s;
    }

    public string ResultsRoot { get; }
    public string? DataRoot { get; }
    public string? CacheRoot { get; }

    /// <summary>Starts worker process i of n; the runner waits for it. Null when this host cannot start workers (cells then run here).</summary>
    public Func<int, int, System.Diagnostics.Process>? StartWorker { get; init; }

    /// <summary>Starts worker process i of n of the population phase (the matrix's reference models); null: they train here.</summary>
    public Func<int, int, System.Diagnostics.Process>? StartPopulationWorker { get; init; }

    sealed record TrainedShared(string? Unavailable, TrainedModel? Trained = null, DataSplits? Data = null, TrainOptions? Train = null,
        FingerprintInputs? Inputs = null, int CellThreads = 1);

    sealed record ScoredShared(PointScores Scores, int[] Neighbors, int K, ScoringRunFiles Files, ScoringOptions Scoring, FingerprintInputs Inputs);

    /// <summary>What a cell will compute: its target, forget set and settings; null (with why) where it cannot run here.</summary>
    sealed record Plan(int Target, int[] Forget, UnlearnSettings Settings, string WorkKey, TrainedShared T, ScoredShared S, PopulationShared? P);

    /// <summary>A cell's unit of work (null where the cell cannot run here, with why).</summary>
    sealed record Planned(WorkUnit<Plan>? Unit, string? Unavailable);

    public TrainOptions TrainOptionsFor(string dataset, int seed)
    {
        var options = new TrainOptions { Dataset = dataset, Seed = seed, DataRoot = DataRoot, CacheRoot = CacheRoot, ConfigPath = file.Path };
        return SettingsSchema.With(options, SettingsSchema.Given(matrix.Training));
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

    WorkRunner Runner => new(matrix.Name, layout, "cells", log) { StartWorker = StartWorker, Workers = matrix.Workers };

    /// <summary>Plans a cell once (training and scoring what it needs first).</summary>
    Planned PlanOf(Cell cell)
    {
        if (plans.TryGetValue(cell, out var known)) return known;
        cellsById[cell.Id] = cell;
        var t = TrainedFor(cell.Dataset, cell.Seed);
        if (t.Unavailable != null) return plans[cell] = new Planned(null, t.Unavailable);
        var s = ScoredFor(cell.Dataset, cell.Seed, cell.Kernel, t);
        var population = PopulationFor(cell.Dataset, cell.Seed, t);
        var scorer = ScorerRegistry.Get(cell.Scorer);
        var picks = cell.Side == Side.Hard ? ScorerRegistry.Hardest(scorer, s.Scores, matrix.Points, matrix.Candidates)
            : ScorerRegistry.Easiest(scorer, s.Scores, matrix.Points, matrix.Candidates);
        if (cell.Slot >= picks.Length)
            throw new HarnessException($"matrix {matrix.Name}: {cell.Id} needs point {cell.Slot + 1} of the {SettingField.Format(matrix.Candidates)} candidates, but there are only {picks.Length}.");
        int target = picks[cell.Slot];
        var forget = RemovalExpansion.FromNeighbors(s.Neighbors, s.K, target, cell.Expansion);
        var settings = matrix.UnlearnSettingsFor(cell.Unlearner, cell.Dataset) with { Seed = cell.Seed };
        // The computation: model, data, code, runtime, the forget set, the algorithm and its settings, the evaluation.
        var work = new FingerprintInputs(t.Inputs!)
            .Add("cell.target", $"{target}").Add("cell.expansion", $"{cell.Expansion}").Add("cell.seed", $"{cell.Seed}").Add("cell.unlearner", cell.Unlearner)
            .Add("cell.forget_set", ForgetSetHash(forget)).Add("evaluation.remain_sample", $"{matrix.RemainSample}")
            .Settings($"unlearning.{cell.Unlearner}", settings)
            .Add("evidence.population", population?.Summary.Fingerprint.Hash ?? "none")
            .Add("evidence.remain_sample", population == null ? "0" : $"{ForgetEvidenceMeasure.DefaultRemainSample}");
        // The cell: also what picked the target (scores of this kernel, scorer, side, slot, candidates).
        var inputs = new FingerprintInputs(work)
            .Add("cell.kernel", cell.Kernel).Add("cell.scorer", cell.Scorer).Add("cell.side", cell.SideName).Add("cell.slot", $"{cell.Slot}")
            .Add("cell.candidates", SettingField.Format(matrix.Candidates))
            .AddRange(s.Inputs);
        var plan = new Plan(target, forget, settings, work.Build().Hash, t, s, population);
        return plans[cell] = new Planned(new WorkUnit<Plan>(cell.Id, layout.Cell(cell.Matrix, cell.Id), inputs.Build(), plan), null);
    }

    static string ForgetSetHash(int[] forget) =>
        $"{forget.Length} points, sha256 " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(forget.AsSpan())))[..16];

    /// <summary>A finished cell's result, or null when there is none or it cannot be read.</summary>
    static CellResult? Recorded(string path)
    {
        if (!File.Exists(path) || SealedRecord.Problem(path) != null) return null; // a damaged record is no result
        try { return Json.Deserialize<CellResult>(File.ReadAllText(path)); }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or NotSupportedException) { return null; }
    }

    Cell CellOf(WorkUnit<Plan> unit) => cellsById[unit.Id];

    /// <summary>Computes one cell (the caller has decided it must run) and writes its result.</summary>
    void Compute(Cell cell, WorkUnit<Plan> unit)
    {
        var (t, s, plan) = (unit.Item.T, unit.Item.S, unit.Item);
        var options = new UnlearnOptions { Train = t.Train!, Algorithm = cell.Unlearner, Target = plan.Target, Expansion = cell.Expansion, RemainSample = matrix.RemainSample };
        ForgetEvidence? evidence = null;
        Action<TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>>? inspect = plan.P == null ? null : unlearned =>
            evidence = ForgetEvidenceMeasure.Measure(plan.P.Evidence, t.Trained!.Model, unlearned, t.Data!.Train, plan.Target, plan.Forget,
                ForgetEvidenceMeasure.RemainSample(t.Data.Train.Count, plan.Forget, ForgetEvidenceMeasure.DefaultRemainSample, cell.Seed), t.Trained.Device);
        var report = UnlearnMeasurement.Measure(UnlearnerRegistry.Get(cell.Unlearner), plan.Settings, t.Trained!, t.Data!, plan.Forget,
            $"{s.Files.NeighborIndices} (top-{cell.Expansion} of {s.K})", options.Target, options.Expansion, options.RemainSample, threads: t.CellThreads, inspect: inspect);
        var result = CellResult.From(cell, plan.Target, report, Configuration(plan), GitInfo.Commit, unit.Fingerprint, plan.WorkKey, evidence);
        SealedRecord.Write(unit.ResultPath, result);
    }

    object Configuration(Plan plan) => new
    {
        ExperimentsFile = file.Path, Matrix = matrix.Name, Model = plan.T.Trained!.ModelName, Training = plan.T.Trained.Settings,
        TrainCount = plan.T.Data!.Train.Count, TestCount = plan.T.Data.Test.Count, Scoring = plan.S.Scoring, Candidates = SettingField.Format(matrix.Candidates),
        RemainSample = matrix.RemainSample, CellThreads = plan.T.CellThreads, Unlearning = (object)plan.Settings, CheckpointPath = plan.T.Trained.CheckpointPath,
    };

    /// <summary>A cell written from another cell's identical computation: its metrics, this cell's identity and fingerprint.</summary>
    void WriteCopy(Cell cell, CellResult source, WorkUnit<Plan> unit)
    {
        var copy = source with
        {
            Cell = cell.Id, Matrix = cell.Matrix, Kernel = cell.Kernel, Scorer = cell.Scorer, Side = cell.SideName, Slot = cell.Slot,
            Configuration = Configuration(unit.Item), Fingerprint = unit.Fingerprint, SameAs = source.SameAs ?? source.Cell,
        };
        SealedRecord.Write(unit.ResultPath, copy);
    }

    /// <summary>
    /// The pending units that compute (one per work key, none whose work key a current cell already holds); the other
    /// pending cells are written from them. Parent and workers derive the same list from the same plans.
    /// </summary>
    static List<WorkUnit<Plan>> Primaries(IEnumerable<WorkUnit<Plan>> current, IEnumerable<WorkUnit<Plan>> pending)
    {
        var done = current.Select(u => u.Item.WorkKey).ToHashSet();
        return pending.Where(u => !done.Contains(u.Item.WorkKey)).GroupBy(u => u.Item.WorkKey).Select(g => g.First()).ToList();
    }

    /// <summary>
    /// Runs one cell unless its result exists with the fingerprint the current inputs give; when another cell of the
    /// matrix already made the identical computation (same work key, current result), this one is written from it.
    /// </summary>
    public CellOutcome RunCell(Cell cell)
    {
        var planned = PlanOf(cell);
        if (planned.Unit is not { } unit) return new CellOutcome(cell, CellStatus.Ignored, planned.Unavailable);
        if (WorkRunner.IsCurrent(unit)) return new CellOutcome(cell, CellStatus.AlreadyDone);
        foreach (var other in Matrices.Cells(matrix).Where(c => c != cell && c.Dataset == cell.Dataset && c.Seed == cell.Seed && c.Unlearner == cell.Unlearner && c.Expansion == cell.Expansion))
        {
            if (PlanOf(other).Unit is not { } twin || twin.Item.WorkKey != unit.Item.WorkKey || !WorkRunner.IsCurrent(twin)) continue;
            WriteCopy(cell, Recorded(twin.ResultPath)!, unit);
            return new CellOutcome(cell, CellStatus.Reused, other.Id);
        }
        Compute(cell, unit);
        return new CellOutcome(cell, CellStatus.Computed);
    }

    /// <summary>
    /// Computes a cell afresh into <paramref name="path"/>, from the cached or retrained model and the current scores and
    /// population, without reading or replacing the cell's own result: what an audit sets against the baseline.
    /// </summary>
    public CellResult Recompute(Cell cell, string path)
    {
        var planned = PlanOf(cell);
        if (planned.Unit is not { } unit) throw new HarnessException($"{cell.Id} cannot run here: {planned.Unavailable}");
        Compute(cell, unit with { ResultPath = path });
        return Recorded(path) ?? throw new IOException($"{path}: the recomputed cell could not be read back.");
    }

    /// <summary>
    /// Runs the given cells with progress and ETA; returns what happened to each. Cells whose result exists with the
    /// current fingerprint are reused without counting on the bar (so after a resume the ETA measures only the work still
    /// to do); stale ones are named up front with what changed, and recomputed; a cell whose computation another cell
    /// already made (or makes in this run) is written from it.
    /// </summary>
    public IReadOnlyList<CellOutcome> Run(IReadOnlyList<Cell> cells, IProgress? progress = null)
    {
        // Shared work (training, scoring) first: the fingerprints need it, and the bar's ETA then measures cells only.
        var planned = cells.ToDictionary(c => c, PlanOf);
        var outcomes = new Dictionary<Cell, CellOutcome>();
        foreach (var (cell, p) in planned)
            if (p.Unit == null) outcomes[cell] = new CellOutcome(cell, CellStatus.Ignored, p.Unavailable);
        var units = cells.Where(c => planned[c].Unit != null).Select(c => planned[c].Unit!).ToList();
        var runner = Runner;
        var (current, pending) = runner.Plan(units);
        foreach (var u in current) outcomes[CellOf(u)] = new CellOutcome(CellOf(u), CellStatus.AlreadyDone);

        var primaries = Primaries(current, pending);
        int reused = current.Count;
        string label = matrix.Name + (reused > 0 ? $" ({reused} finished cells reused)" : "") + (pending.Count > primaries.Count ? $" ({pending.Count - primaries.Count} cells share another's computation)" : "");
        if (primaries.Count > 0 && runner.Workers > 1 && StartWorker != null)
            log($"{matrix.Name}: cells run with {trainedShared.Values.First(t => t.Unavailable == null).CellThreads} thread(s) each");
        Timed("cells", () => { runner.Execute(primaries, () => u => Compute(CellOf(u), u), label, progress); return 0; }, out _);
        foreach (var u in primaries) outcomes[CellOf(u)] = new CellOutcome(CellOf(u), CellStatus.Computed);

        // The others are written from the current cell of their work key (a copy carries the identical computation's numbers too).
        var byWork = new Dictionary<string, CellResult>();
        foreach (var u in current.Concat(primaries)) byWork.TryAdd(u.Item.WorkKey, Recorded(u.ResultPath)!);
        foreach (var u in pending.Where(u => !outcomes.ContainsKey(CellOf(u))))
        {
            var source = byWork[u.Item.WorkKey];
            WriteCopy(CellOf(u), source, u);
            outcomes[CellOf(u)] = new CellOutcome(CellOf(u), CellStatus.Reused, source.Cell);
        }
        return cells.Select(c => outcomes[c]).ToList();
    }

    /// <summary>
    /// A worker process: computes the pending cells that no other worker has claimed, one at a time, until none is left.
    /// Copies are left to the parent.
    /// </summary>
    public int RunWorker(IReadOnlyList<Cell> cells, int index, int count)
    {
        var units = cells.Select(PlanOf).Where(p => p.Unit != null).Select(p => p.Unit!).ToList();
        var current = units.Where(WorkRunner.IsCurrent).ToList();
        var primaries = Primaries(current, units.Except(current));
        return Runner.Work(primaries, () => u => Compute(CellOf(u), u), index, count);
    }

    /// <summary>
    /// A population phase worker (`harness run --worker i/n --phase population`): trains the matrix's population models
    /// that no other worker has claimed. Returns how many it trained.
    /// </summary>
    public int RunPopulationWorker(IReadOnlyList<Cell> cells, int index, int count)
    {
        if (matrix.Population is not { } spec) return 0;
        int trained = 0;
        foreach (var (dataset, seed) in cells.Select(c => (c.Dataset, c.Seed)).Distinct())
        {
            var t = TrainedFor(dataset, seed);
            if (t.Unavailable != null) continue;
            trained += new PopulationRunner(matrix, spec, layout, CacheRoot, log).Work(dataset, seed, t.Data!, t.Trained!, index, count);
        }
        return trained;
    }

    /// <summary>The matrix's population of a data set and seed (trained, reused and summarised once); null when the matrix declares none.</summary>
    public PopulationShared? Population(string dataset, int seed)
    {
        var t = TrainedFor(dataset, seed);
        if (t.Unavailable != null) throw new HarnessException(t.Unavailable);
        return PopulationFor(dataset, seed, t);
    }

    PopulationShared? PopulationFor(string dataset, int seed, TrainedShared t)
    {
        if (matrix.Population is not { } spec) return null;
        if (populations.TryGetValue((dataset, seed), out var p)) return p;
        var runner = new PopulationRunner(matrix, spec, layout, CacheRoot, log) { StartWorker = StartPopulationWorker };
        Timed("population", () => runner.GetOrRun(dataset, seed, t.Data!, t.Trained!, new ConsoleProgress()), out var made);
        return populations[(dataset, seed)] = made;
    }

    /// <summary>The matrix's trained model of a data set and seed (trained or loaded once), and the fingerprint inputs it contributes; null with why when it cannot run here.</summary>
    public (TrainedModel Trained, DataSplits Data, FingerprintInputs Inputs)? Model(string dataset, int seed, out string? unavailable)
    {
        var t = TrainedFor(dataset, seed);
        unavailable = t.Unavailable;
        return t.Unavailable != null ? null : (t.Trained!, t.Data!, t.Inputs!);
    }

    /// <summary>The matrix's scores of a kernel (computed or reused once): the table, the n×K neighbour lists, their files, and their fingerprint inputs.</summary>
    public (PointScores Scores, int[] Neighbors, int K, ScoringRunFiles Files, FingerprintInputs Inputs) Scores(string dataset, int seed, string kernel)
    {
        var t = TrainedFor(dataset, seed);
        if (t.Unavailable != null) throw new HarnessException(t.Unavailable);
        var s = ScoredFor(dataset, seed, kernel, t);
        return (s.Scores, s.Neighbors, s.K, s.Files, s.Inputs);
    }

    TrainedShared TrainedFor(string dataset, int seed)
    {
        if (trainedShared.TryGetValue((dataset, seed), out var t)) return t;
        var train = TrainOptionsFor(dataset, seed);
        string? why = Unavailable(dataset, seed);
        if (why != null) return trainedShared[(dataset, seed)] = new TrainedShared(why);

        Timed("training", () => TrainJob.Run(train, new ConsoleProgress(), log), out var job);
        var (trained, data, trainReport) = job;
        SealedRecord.Write(layout.TrainReport(matrix.Name, dataset, seed), trainReport);
        int cellThreads = matrix.CellThreads(trained.Threads);
        // No code.scoring: a cell reads the scores and neighbours by content (scoring.scores_sha256, scoring.neighbors_sha256),
        // so a scoring change that leaves their bits alone (a faster pass) recomputes the scores, not the cells.
        var inputs = Jobs.TrainJob.Inputs(data, trained).Add("runtime.cell_threads", $"{cellThreads}").Code("training", "unlearning", "population");
        return trainedShared[(dataset, seed)] = new TrainedShared(null, trained, data, train, inputs, cellThreads);
    }

    ScoredShared ScoredFor(string dataset, int seed, string kernel, TrainedShared t)
    {
        if (scoredShared.TryGetValue((dataset, seed, kernel), out var s)) return s;
        var scoring = matrix.KernelNamed(kernel);
        var trained = t.Trained!;
        var data = t.Data!;
        var files = layout.ScoringRun(matrix.Name, dataset, seed, kernel);
        // One process scores a kernel of a data set; other shards and workers on the same results folder wait and reuse its scores.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var scores = WorkRunner.Prerequisite(files.Lock, $"{matrix.Name} {kernel} scores of {dataset} (seed {seed})",
            reuse: () =>
            {
                if (ScoringRunCheck.Mismatch(files, trained.Checkpoint.Sha256, scoring, data.Train.Count, ScoringRunUse.Scores, matrix.Candidates) is { } why)
                {
                    if (File.Exists(files.Meta)) log($"{matrix.Name}: not reusing the {kernel} scores in {files}: {why}; recomputing them");
                    return null;
                }
                log($"{matrix.Name}: reusing the {kernel} scores in {files}");
                return PointScores.ReadCsv(files.Scores);
            },
            make: () =>
            {
                var options = new ScoreOptions { Train = t.Train!, Scoring = scoring, Candidates = matrix.Candidates, OutDir = files.Dir };
                var steinKey = $"{dataset}/{seed}/{trained.Checkpoint.Sha256}/{scoring.Score}/{scoring.Features}/{scoring.Ssn}/{scoring.ScoreBatch}";
                if (stein?.Key != steinKey)
                {
                    stein?.Value.Dispose();
                    stein = (steinKey, ScoreJob.SteinFor(options, trained, data));
                }
                return ScoreJob.Run(options, trained, data, new ConsoleProgress(), log, stein.Value.Value).Scores;
            }, log);
        StageSeconds["scoring"] = StageSeconds.GetValueOrDefault("scoring") + watch.Elapsed.TotalSeconds;
        var (shape, neighbors) = Npy.Read<int>(files.NeighborIndices, scores.Count, -1);
        var inputs = new FingerprintInputs()
            .Add("scoring.scores_sha256", Fingerprint.FileHash(files.Scores)).Add("scoring.neighbors_sha256", Fingerprint.FileHash(files.NeighborIndices))
            .AddRange(ScoringRunCheck.Settings(scoring));
        return scoredShared[(dataset, seed, kernel)] = new ScoredShared(scores, neighbors, (int)shape[1], files, scoring, inputs);
    }
}
