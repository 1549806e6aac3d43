using System.Diagnostics;
using Harness.Data;
using Harness.Evaluation;
using Harness.Scoring;
using Harness.Training;
using Harness.Unlearning;
using Harness.Util;
using static TorchSharp.torch;

namespace Harness.Jobs;

/// <summary>Options of `harness unlearn`.</summary>
public sealed record UnlearnOptions
{
    public TrainOptions Train { get; init; } = new();
    public string Algorithm { get; init; } = "gradascent";
    public int Target { get; init; }
    public int Expansion { get; init; }
    /// <summary>Settings of the algorithm that replace its Table 5 defaults (key → typed value, as its settings record declares them).</summary>
    public IReadOnlyDictionary<string, object> Settings { get; init; } = new Dictionary<string, object>();
    /// <summary>The unlearning seed (noise, shuffling, MIA shadow sample); null keeps 0.</summary>
    public int? Seed { get; init; }
    /// <summary>A scoring run's folder whose neighbors/indices.npy supplies the expansion; without one the target's κ row is computed.</summary>
    public string? ScoresDir { get; init; }
    public ScoringOptions Scoring { get; init; } = new();
    /// <summary>Points of D_r the remaining-set accuracy and loss are measured on: 0 = all of D_r; N = the first N of the seeded shadow permutation.</summary>
    public int RemainSample { get; init; }

    public UnlearnSettings ResolveSettings() => UnlearnerRegistry.Resolve(Algorithm, Train.Dataset, Settings) is var s && Seed is int seed ? s with { Seed = seed } : s;
}

public sealed record SetMeasurement(int Count, double Accuracy, double Loss);

/// <summary>Everything `harness unlearn` measures, with the exact configuration that produced it.</summary>
public sealed record UnlearnReport(
    string Dataset, string Model, string Algorithm, int Target, int Expansion, int[] ForgetSet, string ForgetSetSource,
    object Settings, TrainingSettings OriginalTraining,
    SetMeasurement OriginalForget, SetMeasurement Forget, SetMeasurement Remain, SetMeasurement Test,
    MiaResult Mia, Dictionary<string, double> DistancePerLayer, double Distance, double Seconds,
    Dictionary<string, object> Details, int Threads, string Device, string CheckpointPath, string TorchSharpVersion, string LibTorchVersion,
    string RemainEvaluation = "all of D_r", Dictionary<string, double>? PhaseSeconds = null);

public static class UnlearnJob
{
    public static UnlearnReport Run(UnlearnOptions options, IProgress? progress = null, Action<string>? log = null)
    {
        log ??= Console.Error.WriteLine;
        var unlearner = UnlearnerRegistry.Get(options.Algorithm);
        var settings = options.ResolveSettings();
        settings.Validate(options.Algorithm);
        var (trained, data, _) = TrainJob.Run(options.Train, progress, log);
        var (forget, source) = ForgetSet(options, trained, data, log);
        return Measure(unlearner, settings, trained, data, forget, source, options, progress);
    }

    /// <summary>
    /// Runs one algorithm on a given forget set of a trained model and measures the result with one forward pass per set:
    /// the forget set, the test set (accuracy, loss, and the MIA's non-members), and D_r in the seeded shadow order (the
    /// first |test| are the MIA's members; the remaining-set accuracy and loss cover the first <see cref="UnlearnOptions.RemainSample"/>
    /// of that order, or all of D_r when it is 0). Where the time goes is kept in PhaseSeconds.
    /// </summary>
    public static UnlearnReport Measure(IUnlearner unlearner, UnlearnSettings settings, TrainedModel trained, DataSplits data,
        int[] forget, string source, UnlearnOptions options, IProgress? progress = null, int? threads = null)
    {
        // A matrix's cell may run with fewer threads than the original was trained with (several cells at once).
        var cellTraining = threads is int th ? trained.Settings with { Threads = th } : trained.Settings;
        Devices.PinThreads(cellTraining.ResolvedThreads);
        var phases = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        double Lap() { double t = clock.Elapsed.TotalSeconds; clock.Restart(); return t; }
        var inForget = new HashSet<int>(forget);
        var remain = Enumerable.Range(0, data.Train.Count).Where(i => !inForget.Contains(i)).ToArray();
        var context = new UnlearnContext(trained.Model, trained.ModelName, data.Train, forget, remain, settings, cellTraining, trained.Device, progress);
        var before = Evaluator.Evaluate(trained.Model, context.ForgetSet, trained.Device);
        phases["original_forget"] = Lap();
        var result = unlearner.Unlearn(context);
        double seconds = Lap();
        phases["algorithm"] = seconds;

        var order = MiaEfficacy.ShadowOrder(remain.Length, settings.Seed);
        int shadowCount = Math.Min(data.Test.Count, remain.Length);
        int remainCount = options.RemainSample > 0 ? Math.Min(options.RemainSample, remain.Length) : remain.Length;
        var evaluated = data.Train.Subset(order[..Math.Max(shadowCount, remainCount)].Select(i => remain[i]).ToArray());
        var onForget = Evaluator.PerPoint(result.Model, context.ForgetSet, trained.Device);
        phases["forget"] = Lap();
        var onRemain = Evaluator.PerPoint(result.Model, evaluated, trained.Device);
        phases["remain"] = Lap();
        var onTest = Evaluator.PerPoint(result.Model, data.Test, trained.Device);
        phases["test"] = Lap();
        var mia = MiaEfficacy.FromConfidences(onRemain.Confidence[..shadowCount], onTest.Confidence, onForget.Confidence);
        var (perLayer, total) = ParameterDistance.Measure(result.Model, trained.Model);
        phases["mia_and_distance"] = Lap();
        SetMeasurement M(Training.Evaluation e) => new(e.Count, e.Accuracy, e.Loss);
        string remainEvaluation = remainCount == remain.Length ? "all of D_r"
            : $"a seeded sample of {remainCount} points of D_r (seed {settings.Seed}; the MIA's shadow members{(remainCount > shadowCount ? " and more" : "")})";
        var report = new UnlearnReport(data.Name, trained.ModelName, unlearner.Name, options.Target, options.Expansion, forget, source,
            settings, trained.Settings, new SetMeasurement(before.Count, before.Accuracy, before.Loss), M(onForget.Summary()), M(onRemain.Summary(remainCount)), M(onTest.Summary()),
            mia, perLayer, total, seconds, result.Details,
            cellTraining.ResolvedThreads, trained.Device.type.ToString().ToLowerInvariant(), trained.CheckpointPath, Versions.TorchSharp, Versions.LibTorch,
            remainEvaluation, phases);
        result.Model.Dispose();
        return report;
    }

    /// <summary>
    /// Why the neighbour lists of a scoring run do not belong to this model and these scoring options (its meta.json records
    /// what made them), or null when they do: another checkpoint, other scoring code, another number of points, or another
    /// choice that changes κ.
    /// </summary>
    public static string? NeighborsMismatch(string scoresDir, TrainedModel trained, ScoringOptions scoring, int n)
    {
        var metaPath = Path.Combine(scoresDir, "meta.json");
        if (!File.Exists(metaPath)) return $"{metaPath} is missing, so nothing says what made the neighbours";
        ScoreMeta meta;
        try { meta = Json.Deserialize<ScoreMeta>(File.ReadAllText(metaPath)); }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { return $"{metaPath} is unreadable ({e.Message})"; }
        if (meta.CheckpointSha256 != trained.Checkpoint.Sha256)
            return $"they were made with checkpoint {Short(meta.CheckpointSha256)}, this model is {Short(trained.Checkpoint.Sha256)}";
        if (meta.CodeVersion != CodeVersion.Scoring) return $"they were made by scoring code {meta.CodeVersion ?? "unknown"}, this is {CodeVersion.Scoring}";
        if (meta.N != n) return $"they cover {meta.N} points, the training set has {n}";
        var differs = meta.Options.KappaDifferences(scoring);
        return differs.Count == 0 ? null : "they were made with " + string.Join(", ", differs.Select(d => $"{d.Name} {Config.SettingField.Format(d.This)} (now {Config.SettingField.Format(d.Other)})"));
    }

    static string Short(string? sha) => sha == null ? "unknown" : sha[..Math.Min(12, sha.Length)];

    /// <summary>{target} ∪ its top-k neighbours: from the scoring run when they belong to this model and options, else from the target's own κ row.</summary>
    public static (int[] Forget, string Source) ForgetSet(UnlearnOptions options, TrainedModel trained, DataSplits data, Action<string> log)
    {
        int n = data.Train.Count;
        RemovalExpansion.Check(options.Target, options.Expansion, n);
        if (options.Expansion == 0) return (new[] { options.Target }, "target only (k = 0)");
        if (options.ScoresDir != null && File.Exists(Path.Combine(options.ScoresDir, "neighbors", "indices.npy")))
        {
            var path = Path.Combine(options.ScoresDir, "neighbors", "indices.npy");
            if (NeighborsMismatch(options.ScoresDir, trained, options.Scoring, n) is { } why)
                log($"{path} is not used: {why}; computing the target's κ row instead.");
            else if (RemovalExpansion.FromNeighborsFile(path, options.Target, options.Expansion, n) is { } fromFile)
                return (fromFile, path);
            else
                log($"{path} has fewer than {options.Expansion} neighbours per point; computing the target's κ row instead.");
        }
        using var images = data.Train.ImagesTensor(trained.Device);
        using var labels = data.Train.LabelsTensor(trained.Device);
        var scoring = options.Scoring with { Ssn = SsnMode.Input }; // the expansion needs κ only
        var (stein, inputs) = KernelInputs.Compute(trained.Model, images, labels, scoring);
        using var steinScope = stein;
        using var inputsScope = inputs;
        var (kernel, _) = KernelFactory.Create(scoring, inputs.X);
        return (RemovalExpansion.Compute(kernel, inputs.X, inputs.S, options.Target, options.Expansion),
            $"κ row of the target ({kernel.Name}, {Config.SettingField.Format(scoring.Space)} space)");
    }
}
