namespace Harness.Runs;

/// <summary>
/// Every path under a results root. No other file spells a results path: a matrix's or study's folder is
/// `ROOT/NAME/`, with `cells/` (one JSON per cell, named by its id), `points/` (one JSON per study point), `shared/` (the
/// trained model's train.json and one scoring run per kernel), `workers/` (worker logs), merged tables, baselines,
/// figures and REPORT.md beside them.
/// </summary>
public sealed class ResultsLayout(string root)
{
    public string Root { get; } = root;

    /// <summary>The default results root of the one-off commands (`harness train|score|unlearn|bench|numerics`): results/ in the repository.</summary>
    public static ResultsLayout Repository => new(Path.Combine(Util.Paths.RepoRoot, "results"));

    /// <summary>A matrix's or a study's folder.</summary>
    public string Dir(string name) => Path.Combine(Root, name);

    /// <summary>NAME-SUFFIX under a matrix's or study's folder (BenchmarkDotNet-style artefact names: mnist-table1.csv, mnist-figure2-….png).</summary>
    public string Artifact(string name, string suffix) => Path.Combine(Dir(name), $"{name}-{suffix}");

    public string Report(string matrix) => Path.Combine(Dir(matrix), "REPORT.md");
    /// <summary>What `harness reproduce` spent on each stage, and how many cells it computed: NAME-timing.json.</summary>
    public string Timing(string matrix) => Artifact(matrix, "timing.json");
    /// <summary>Figure N of a matrix for one kernel: NAME-figureN-KERNEL.png.</summary>
    public string Figure(string matrix, int figure, string kernel) => Artifact(matrix, $"figure{figure}-{kernel}.png");
    /// <summary>Table N of a matrix: NAME-tableN.csv, or NAME-tableN-github.md for the Markdown.</summary>
    public string Table(string matrix, int table, bool markdown) => Artifact(matrix, markdown ? $"table{table}-github.md" : $"table{table}.csv");
    public string MergedCells(string matrix) => Path.Combine(Dir(matrix), "cells.csv");
    public string ReceivedCells(string matrix) => Artifact(matrix, "cells.received.csv");

    /// <summary>A committed baseline: DIR/STEM.CLASS.verified.csv (its provenance beside it, .md), one per numerics class.</summary>
    public static string Baseline(string dir, string stem, string numericsClass) => Path.Combine(dir, $"{stem}.{numericsClass}.verified.csv");
    public const string BaselineSuffix = ".verified.csv";

    /// <summary>A cell's result file: cells/DATASET/KERNEL/SCORER/SIDE/tSLOT/UNLEARNER/kK/sSEED.json.</summary>
    public string Cell(string matrix, string cellId) => Path.Combine(Dir(matrix), "cells", cellId.Replace('/', Path.DirectorySeparatorChar) + ".json");

    /// <summary>What a matrix's cells share for one data set and seed: the model's train.json and the scoring runs.</summary>
    public string Shared(string matrix, string dataset, int seed) => Path.Combine(Dir(matrix), "shared", $"{dataset}-s{seed}");
    public string TrainReport(string matrix, string dataset, int seed) => Path.Combine(Shared(matrix, dataset, seed), "train.json");
    public ScoringRunFiles ScoringRun(string matrix, string dataset, int seed, string kernel) => new(Path.Combine(Shared(matrix, dataset, seed), kernel));

    /// <summary>A matrix's population of reference models for one data set and seed: population/DATASET-sSEED/.</summary>
    public PopulationFiles Population(string matrix, string dataset, int seed) => new(Path.Combine(Dir(matrix), "population", $"{dataset}-s{seed}"), $"{matrix}-{dataset}-s{seed}");

    public string StudyPoint(string study, int index) => Path.Combine(Dir(study), "points", $"{index}.json");
    public StudyFiles Study(string study) => new(Dir(study), study);

    public string Workers(string name) => Path.Combine(Dir(name), "workers");
    /// <summary>Worker i's log: workers/worker-i.log, or workers/PHASE-worker-i.log for a phase before the cells (the population).</summary>
    public string WorkerLog(string name, int worker, string? phase = null) => Path.Combine(Workers(name), phase == null ? $"worker-{worker}.log" : $"{phase}-worker-{worker}.log");

    /// <summary>The default folder of a one-off command's output: results/KIND/DATASET-MODEL/ (KIND = train, score, unlearn).</summary>
    public string OneOff(string kind, string dataset, string model) => Path.Combine(Root, kind, $"{dataset}-{model}");
    public static string TrainReportIn(string dir) => Path.Combine(dir, "train.json");
    public static string UnlearnReportIn(string dir, string algorithm, int target, int expansion) => Path.Combine(dir, $"{algorithm}-t{target}-k{expansion}.json");
    public string Bench(string dataset) => Path.Combine(Root, "bench", $"score-{dataset}.json");
    public string PopulationBench(string dataset) => Path.Combine(Root, "bench", $"population-{dataset}.json");
    public string Numerics => Path.Combine(Root, "numerics");
    public static string NumericsProbe(string dir, string numericsClass) => Path.Combine(dir, $"{numericsClass}.json");
}

/// <summary>A study's tables beside its points/: points.csv, summary.csv (verified against STUDY-summary.CLASS.verified.csv), redundancy.csv, the Markdown summary, provenance.json and the figures.</summary>
public sealed record StudyFiles(string Dir, string Name)
{
    public string Points => Path.Combine(Dir, "points.csv");
    public string Summary => Path.Combine(Dir, "summary.csv");
    public string Redundancy => Path.Combine(Dir, "redundancy.csv");
    public string SummaryMarkdown => Path.Combine(Dir, $"{Name}-summary-github.md");
    /// <summary>How the study was made (matrix, kernel profile, checkpoint SHA-256, ...), for `harness forget` to check it describes the same model.</summary>
    public string Provenance => Path.Combine(Dir, "provenance.json");
    public string SummaryStem => $"{Name}-summary";
    public string Received => Path.Combine(Dir, $"{SummaryStem}.received.csv");
    public string Figure(string suffix) => Path.Combine(Dir, $"{Name}-{suffix}.png");

    public override string ToString() => Dir;
}

/// <summary>
/// A population's files: models/mNN.json (one unit's record, written last) with models/mNN.phi.npy (φ and correctness on every
/// training then test point); population.json (the summary, its fingerprint and the attack's thresholds), points.csv (one
/// row per training point), the attack-strength table (attack.csv, attack-github.md) and the ROC figure.
/// </summary>
public sealed record PopulationFiles(string Dir, string Name)
{
    public string Model(int m) => Path.Combine(Dir, "models", $"m{m:D2}.json");
    public string Confidences(int m) => Path.Combine(Dir, "models", $"m{m:D2}.phi.npy");
    public string Summary => Path.Combine(Dir, "population.json");
    public string Points => Path.Combine(Dir, "points.csv");
    public string Attack => Path.Combine(Dir, "attack.csv");
    public string AttackMarkdown => Path.Combine(Dir, "attack-github.md");
    /// <summary>LiRA's ROC curve on the population, drawn with the figures from the curve the sealed summary holds.</summary>
    public string Roc => Path.Combine(Dir, "roc.png");
    /// <summary>Held by the one process that summarises the population; others wait and reuse it.</summary>
    public string Lock => Path.Combine(Dir, "population.lock");

    public override string ToString() => Dir;
}

/// <summary>
/// What `harness forget --out DIR` writes: request.json (last), REQUEST.md, request.png, the unlearned model and its record,
/// its own scoring run when it scores, and each rung of the ladder as it finishes (rungs/kK.json, sealed, and its model
/// rungs/kK.pt), which a rerun of the same request reuses.
/// </summary>
public sealed record ForgetFiles(string Dir)
{
    public const string RequestJsonName = "request.json", RequestMdName = "REQUEST.md", RequestPngName = "request.png", UnlearnedPtName = "unlearned.pt", UnlearnedJsonName = "unlearned.json";
    public string RequestJson => Path.Combine(Dir, RequestJsonName);
    public string RequestMd => Path.Combine(Dir, RequestMdName);
    public string RequestPng => Path.Combine(Dir, RequestPngName);
    public string UnlearnedPt => Path.Combine(Dir, UnlearnedPtName);
    public string UnlearnedJson => Path.Combine(Dir, UnlearnedJsonName);
    public IEnumerable<string> All => new[] { RequestJson, RequestMd, RequestPng, UnlearnedPt, UnlearnedJson };
    public ScoringRunFiles OwnScores => new(Path.Combine(Dir, "scores"));
    public string RungRecord(int k) => Path.Combine(Dir, "rungs", $"k{k}.json");
    public string RungModel(int k) => Path.Combine(Dir, "rungs", $"k{k}.pt");
}

/// <summary>
/// The files of one scoring run (`harness score --out DIR`, a matrix's shared/…/KERNEL/): scores.csv, the neighbour
/// lists, the extreme points' κ rows, and meta.json, written last, which records what made them.
/// </summary>
public sealed record ScoringRunFiles(string Dir)
{
    public string Scores => Path.Combine(Dir, "scores.csv");
    public string Meta => Path.Combine(Dir, "meta.json");
    public string NeighborIndices => Path.Combine(Dir, "neighbors", "indices.npy");
    public string NeighborValues => Path.Combine(Dir, "neighbors", "values.npy");
    public string ExtremesJson => Path.Combine(Dir, "extremes.json");
    public string ExtremesNpy => Path.Combine(Dir, "extremes.npy");
    /// <summary>Held by the one process that scores this run; others wait and reuse it.</summary>
    public string Lock => Path.Combine(Dir, "scoring.lock");
    public string Dump(string array) => Path.Combine(Dir, $"{array}.npy");
    /// <summary>Every file a run may write before meta.json, which records the SHA-256 of those it wrote.</summary>
    public IEnumerable<string> Artefacts => new[] { Scores, NeighborIndices, NeighborValues, ExtremesJson, ExtremesNpy, Dump("X"), Dump("S"), Dump("K") };

    public override string ToString() => Dir;
}

/// <summary>Every path under the cache root (HARNESS_CACHE, else .cache/): checkpoints/KEY.pt with its record KEY.json.</summary>
public sealed class CacheLayout(string? root = null)
{
    public string Root { get; } = root ?? Util.Paths.CacheRoot;
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    public string Checkpoint(string key) => Path.Combine(Checkpoints, key + ".pt");
    public string CheckpointRecord(string key) => Path.Combine(Checkpoints, key + ".json");
}
