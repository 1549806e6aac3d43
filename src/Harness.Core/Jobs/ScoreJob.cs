using Harness.Numerics;
using System.Diagnostics;
using Harness.Runs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using static TorchSharp.torch;

namespace Harness.Jobs;

/// <summary>Options of `harness score`: the training options, the scoring options, and what to score and write.</summary>
public sealed record ScoreOptions
{
    public TrainOptions Train { get; init; } = new();
    public ScoringOptions Scoring { get; init; } = new();
    /// <summary>Score only the first N training points (the model is trained on all of them as usual).</summary>
    public int? Limit { get; init; }
    /// <summary>Also write X.npy, S.npy and K.npy for the first M scored points.</summary>
    public int DumpKernel { get; init; }
    /// <summary>Which points the ranks in scores.csv and the extremes cover (docs/method.md).</summary>
    public Candidates Candidates { get; init; } = Candidates.All;
    public required string OutDir { get; init; }
}

/// <summary>
/// meta.json of a scoring run. D is the columns the kernel sees (FeatureColumns + LabelColumns); H2 = h² of the RBF kernel.
/// Candidates and CandidateCount say which points the ranks cover; Misclassified counts the points the model gets wrong.
/// </summary>
public sealed record ScoreMeta(
    string Dataset, string Model, int N, long D, int TopK, string Kernel, double? H, double? MedianSquaredDistance,
    int? BandwidthSample, ScoringOptions Options, int BlockSize, Dictionary<string, double> Seconds, int Threads, string Device,
    string CheckpointPath, string TorchSharpVersion, string LibTorchVersion, string NeighborsFormat, string KernelStrategy,
    string? CheckpointSha256 = null, string? CodeVersion = null,
    string Space = "input", string Features = "input", long FeatureColumns = 0, long LabelColumns = 0, double? H2 = null,
    string Candidates = "all", int CandidateCount = 0, int Misclassified = 0, string? Isa = null,
    Dictionary<string, FileRecord>? Files = null);

public static class ScoreJob
{
    public const string NeighborsFormat =
        "neighbors/indices.npy: int32 n×K, row i lists the K training points j ≠ i with the largest κ(i,j), largest first; " +
        "neighbors/values.npy: float32 n×K, those κ(i,j). Indices are positions in the training set, as the index column of scores.csv.";

    public static (PointScores Scores, KernelStatistics Kernel, ScoreMeta Meta) Run(ScoreOptions options, IProgress? progress = null, Action<string>? log = null)
    {
        log ??= Console.Error.WriteLine;
        options.Scoring.Validate();
        if (options.Limit is < 2) throw new HarnessException($"--train-limit {options.Limit} must be at least 2 to score.");
        if (options.DumpKernel < 0) throw new HarnessException($"--dump-kernel {options.DumpKernel} must be 0 or more.");
        var watch = Stopwatch.StartNew();
        var (trained, data, _) = TrainJob.Run(options.Train, progress, log);
        double trainSeconds = watch.Elapsed.TotalSeconds;
        var result = Run(options, trained, data, progress, log);
        result.Meta.Seconds["train_or_load"] = trainSeconds;
        AtomicFile.WriteAllText(new ScoringRunFiles(options.OutDir).Meta, Json.Serialize(result.Meta));
        trained.Model.Dispose();
        return result;
    }

    /// <summary>
    /// Scores the training points of an already trained (or loaded) model; the model stays with the caller. A caller that
    /// scores the same points in several kernel spaces may pass the model's Stein quantities (from <see cref="SteinFor"/>,
    /// computed once); they stay the caller's.
    /// </summary>
    public static (PointScores Scores, KernelStatistics Kernel, ScoreMeta Meta) Run(ScoreOptions options, Training.TrainedModel trained, Data.DataSplits data,
        IProgress? progress = null, Action<string>? log = null, SteinScoreResult? sharedStein = null)
    {
        log ??= Console.Error.WriteLine;
        var seconds = new Dictionary<string, double>();
        var watch = Stopwatch.StartNew();

        var set = options.Limit is int lim && lim < data.Train.Count ? data.Train.Take(lim) : data.Train;
        int n = set.Count;
        if (options.DumpKernel > n) throw new HarnessException($"--dump-kernel {options.DumpKernel} is more than the {n} scored points.");
        SymmetricKernelPass.CheckScratch(options.Scoring, n); // before minutes of work, not after
        var o = options.Scoring;
        log($"scoring {n} training points ({Config.SettingField.Format(o.Kernel)} kernel, {Config.SettingField.Format(o.Space)} space, {Config.SettingField.Format(o.Features)} features, " +
            $"score {Config.SettingField.Format(o.Score)}, top-{Math.Min(o.TopK, n - 1)} neighbours)");

        using var images = set.ImagesTensor(trained.Device);
        using var labels = set.LabelsTensor(trained.Device);
        SteinScoreResult stein;
        KernelInputs inputs;
        if (sharedStein != null && sharedStein.S.shape[0] == n && (o.Features == FeatureSpace.Input || sharedStein.Z is not null) && (o.Ssn == SsnMode.Input || sharedStein.ParamGradNorm.Length == n))
            (stein, inputs) = (sharedStein, KernelInputs.Build(o, images, labels, sharedStein));
        else
            (stein, inputs) = KernelInputs.Compute(trained.Model, images, labels, o);
        using var steinScope = ReferenceEquals(stein, sharedStein) ? null : stein;
        using var inputsScope = inputs;
        var x = inputs.X;
        seconds["stein_scores"] = Lap(watch);

        var (kernel, median) = KernelFactory.Create(o, x);
        if (median != null) log(FormattableString.Invariant($"RBF bandwidth h = {median.H:G6} (median heuristic over {median.SampleSize} points)"));
        else if (kernel is RbfKernel rbf) log(FormattableString.Invariant($"RBF bandwidth h² = {rbf.H * rbf.H:G6} ({Config.SettingField.Format(o.Bandwidth)})"));
        seconds["bandwidth"] = Lap(watch);

        var stats = SteinKernelPass.Run(kernel, x, inputs.S, o, progress);
        seconds["kernel_pass"] = Lap(watch);
        foreach (var (name, v) in stats.PhaseSeconds) seconds["kernel_pass." + name] = v;

        var sources = new QuantitySources(trained.Model, set, Enumerable.Range(0, n).ToArray(), trained.Device, o.Score, o.ScoreBatch, o.Ssn)
        {
            Stein = stein, Mksd = stats.Mksd, LogMsksd = stats.LogMsksd, LearningEvents = trained.Checkpoint.LearningEvents,
        };
        var scores = PointScores.From(PointQuantities.Measure(sources, ScorerRegistry.Scorers));

        Directory.CreateDirectory(options.OutDir);
        var files = new ScoringRunFiles(options.OutDir);
        if (File.Exists(files.Meta)) File.Delete(files.Meta); // meta.json is written last: its presence marks a complete run
        int candidateCount = scores.CandidateCount(options.Candidates);
        if (candidateCount < 2) throw new HarnessException($"only {candidateCount} of the {n} points are candidates ({Config.SettingField.Format(options.Candidates)}); nothing to rank.");
        AtomicFile.WriteAllText(files.Scores, scores.ToCsv(options.Candidates));
        Npy.Write<int>(files.NeighborIndices, stats.NeighborIndex, n, stats.K);
        Npy.Write<float>(files.NeighborValues, stats.NeighborValue, n, stats.K);
        if (options.DumpKernel > 0) DumpKernel(files, kernel, inputs, options.DumpKernel);
        var (extremeRows, extremeValues) = ExtremeRows.Compute(kernel, inputs, scores, options.Candidates);
        Npy.Write<float>(files.ExtremesNpy, extremeValues, extremeRows.Count, n);
        AtomicFile.WriteAllText(files.ExtremesJson, Json.Serialize(extremeRows));
        seconds["write"] = Lap(watch);

        double? rbfH = (kernel as RbfKernel)?.H;
        var meta = new ScoreMeta(data.Name, trained.ModelName, n, x.shape[1], stats.K, kernel.Name, rbfH,
            median?.MedianSquaredDistance, median?.SampleSize, o,
            o.BlockFor(n), seconds, trained.Threads,
            trained.Device.type.ToString().ToLowerInvariant(), trained.CheckpointPath, Versions.TorchSharp, Versions.LibTorch, NeighborsFormat, stats.Strategy,
            trained.Checkpoint.Sha256, Util.CodeVersion.Scoring,
            Config.SettingField.Format(o.Space), Config.SettingField.Format(o.Features), inputs.FeatureColumns, inputs.LabelColumns, rbfH * rbfH,
            Config.SettingField.Format(options.Candidates), candidateCount, Enumerable.Range(0, n).Count(i => !scores.Correct(i)), CpuIsa.Describe(),
            FileRecord.OfFiles(files.Dir, files.Artefacts)); // each file is in place: what a reuse checks it against
        AtomicFile.WriteAllText(files.Meta, Json.Serialize(meta));
        return (scores, stats, meta);
    }

    /// <summary>The Stein quantities a scoring run of these options needs, for callers that share them between kernel spaces.</summary>
    public static SteinScoreResult SteinFor(ScoreOptions options, Training.TrainedModel trained, Data.DataSplits data)
    {
        var set = options.Limit is int lim && lim < data.Train.Count ? data.Train.Take(lim) : data.Train;
        using var images = set.ImagesTensor(trained.Device);
        using var labels = set.LabelsTensor(trained.Device);
        var o = options.Scoring;
        return SteinScores.Compute(trained.Model, images, labels, o.Score, o.ScoreBatch, o.Ssn == SsnMode.Params, o.Features);
    }

    static void DumpKernel(ScoringRunFiles dir, BaseKernel kernel, KernelInputs inputs, int m)
    {
        var dump = KernelDump.Of(kernel, inputs, m);
        Npy.Write<float>(dir.Dump("X"), dump.X, m, dump.XColumns);
        Npy.Write<float>(dir.Dump("S"), dump.S, m, dump.SColumns);
        Npy.Write<float>(dir.Dump("K"), dump.K, m, m);
    }

    static double Lap(Stopwatch w) { double s = w.Elapsed.TotalSeconds; w.Restart(); return s; }
}
