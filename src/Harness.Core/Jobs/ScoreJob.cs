using System.Diagnostics;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Util;
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
    /// <summary>Which points the ranks in scores.csv and the extremes cover (METHOD.md §1).</summary>
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
    string Candidates = "all", int CandidateCount = 0, int Misclassified = 0);

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
        AtomicFile.WriteAllText(Path.Combine(options.OutDir, "meta.json"), Json.Serialize(result.Meta));
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

        var scores = PointScores.From(Quantities(set.Labels, stein, options.Scoring.Ssn, trained.Checkpoint.LearningEvents) with { Mksd = stats.Mksd, LogMsksd = stats.LogMsksd });

        Directory.CreateDirectory(options.OutDir);
        var metaPath = Path.Combine(options.OutDir, "meta.json");
        if (File.Exists(metaPath)) File.Delete(metaPath); // meta.json is written last: its presence marks a complete run
        int candidateCount = scores.CandidateCount(options.Candidates);
        if (candidateCount < 2) throw new HarnessException($"only {candidateCount} of the {n} points are candidates ({Config.SettingField.Format(options.Candidates)}); nothing to rank.");
        AtomicFile.WriteAllText(Path.Combine(options.OutDir, "scores.csv"), scores.ToCsv(options.Candidates));
        Npy.Write<int>(Path.Combine(options.OutDir, "neighbors", "indices.npy"), stats.NeighborIndex, n, stats.K);
        Npy.Write<float>(Path.Combine(options.OutDir, "neighbors", "values.npy"), stats.NeighborValue, n, stats.K);
        if (options.DumpKernel > 0) DumpKernel(options.OutDir, kernel, inputs, options.DumpKernel);
        WriteExtremeRows(options.OutDir, kernel, inputs, scores, options.Candidates);
        seconds["write"] = Lap(watch);

        double? rbfH = (kernel as RbfKernel)?.H;
        var meta = new ScoreMeta(data.Name, trained.ModelName, n, x.shape[1], stats.K, kernel.Name, rbfH,
            median?.MedianSquaredDistance, median?.SampleSize, o,
            o.BlockFor(n), seconds, trained.Threads,
            trained.Device.type.ToString().ToLowerInvariant(), trained.CheckpointPath, Versions.TorchSharp, Versions.LibTorch, NeighborsFormat, stats.Strategy,
            trained.Checkpoint.Sha256, Util.CodeVersion.Scoring,
            Config.SettingField.Format(o.Space), Config.SettingField.Format(o.Features), inputs.FeatureColumns, inputs.LabelColumns, rbfH * rbfH,
            Config.SettingField.Format(options.Candidates), candidateCount, Enumerable.Range(0, n).Count(i => !scores.Correct(i)));
        AtomicFile.WriteAllText(metaPath, Json.Serialize(meta));
        return (scores, stats, meta);
    }

    /// <summary>
    /// The per-point quantities of the model's outputs (everything but the kernel pass's row statistics) for the first
    /// labels.Length training points. SSN is the input-gradient norm, or the parameter-gradient norm with `ssn: params`;
    /// the parameter-gradient norm is there when the Stein pass computed it; learning events when the checkpoint recorded them.
    /// </summary>
    public static PointQuantities Quantities(long[] labels, SteinScoreResult stein, SsnMode ssnMode, double[]? learningEvents)
    {
        int n = labels.Length;
        double[] ssn = ssnMode == SsnMode.Params ? stein.ParamGradNorm
            : linalg.vector_norm(stein.S.to(ScalarType.Float64), 2, new long[] { 1 }).data<double>().ToArray();
        return new PointQuantities
        {
            Index = Enumerable.Range(0, n).ToArray(), Label = labels, Predicted = stein.Predicted, Pc = stein.Pc,
            Loss = stein.Loss ?? throw new ArgumentException("Stein result without losses"), Margin = stein.Margin!, Entropy = stein.Entropy, Ssn = ssn,
            ParamGradNorm = stein.ParamGradNorm.Length == n ? stein.ParamGradNorm : null,
            LearningEvents = learningEvents is { } e && e.Length >= n ? e.Take(n).ToArray() : null,
        };
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

    /// <summary>X, S and the full M×M Stein kernel (diagonal included) of the first M points, as the pass sees them (joint columns included).</summary>
    static void DumpKernel(string dir, BaseKernel kernel, KernelInputs inputs, int m)
    {
        using var scope = NewDisposeScope();
        var xm = inputs.X.narrow(0, 0, m).contiguous();
        var sm = inputs.S.narrow(0, 0, m).contiguous();
        using var prepared = kernel.Prepare(xm, sm);
        var k = kernel.SteinBlock(prepared, 0, m).contiguous();
        Npy.Write<float>(Path.Combine(dir, "X.npy"), xm.data<float>().ToArray(), m, xm.shape[1]);
        Npy.Write<float>(Path.Combine(dir, "S.npy"), sm.data<float>().ToArray(), m, sm.shape[1]);
        Npy.Write<float>(Path.Combine(dir, "K.npy"), k.data<float>().ToArray(), m, m);
    }

    /// <summary>
    /// One extreme point of a scorer (among the candidates) and its row of κ against every training point (paper Figure 3),
    /// with the mean |·| over j ≠ i of each bracket of Eq. 4 in that row: score similarity s_aᵀs_b k, mutual influence
    /// s_aᵀ∇_b k + s_bᵀ∇_a k, raw-feature similarity tr(∇_a∇_b k).
    /// </summary>
    public sealed record ExtremeRow(string Scorer, string Side, int Index, long Label, double Score,
        long Predicted = -1, double MeanAbsScoreTerm = double.NaN, double MeanAbsInfluenceTerm = double.NaN, double MeanAbsRawTerm = double.NaN);

    /// <summary>extremes.json and extremes.npy (rows × n float32): κ(i, ·) of the easiest and hardest candidate of every scorer.</summary>
    static void WriteExtremeRows(string dir, BaseKernel kernel, KernelInputs inputs, PointScores scores, Candidates candidates)
    {
        var rows = scores.Scorers.SelectMany(sc => new[]
        {
            new ExtremeRow(sc.Name, "easy", ScorerRegistry.Easiest(sc, scores, 1, candidates)[0], 0, 0),
            new ExtremeRow(sc.Name, "hard", ScorerRegistry.Hardest(sc, scores, 1, candidates)[0], 0, 0),
        }).Select(r => r with { Label = scores.Label[r.Index], Predicted = scores.Predicted[r.Index], Score = scores.Values(r.Scorer)[r.Index] }).ToList();
        int n = scores.Count;
        var values = new float[rows.Count * n];
        using (var scope = NewDisposeScope())
        {
            using var prepared = kernel.Prepare(inputs.X, inputs.S);
            for (int r = 0; r < rows.Count; r++)
                kernel.SteinBlock(prepared, rows[r].Index, 1).to(ScalarType.Float32).contiguous().data<float>().CopyTo(values, r * n);
        }
        var terms = kernel.MeanAbsTerms(inputs.X, inputs.S, rows.Select(r => r.Index).ToArray());
        for (int r = 0; r < rows.Count; r++)
            rows[r] = rows[r] with { MeanAbsScoreTerm = terms[r][0], MeanAbsInfluenceTerm = terms[r][1], MeanAbsRawTerm = terms[r][2] };
        Npy.Write<float>(Path.Combine(dir, "extremes.npy"), values, rows.Count, n);
        AtomicFile.WriteAllText(Path.Combine(dir, "extremes.json"), Json.Serialize(rows));
    }

    static double Lap(Stopwatch w) { double s = w.Elapsed.TotalSeconds; w.Restart(); return s; }
}
