using System.Diagnostics;
using Harness.Data;
using Harness.Training;
using Harness.Unlearning;

namespace Harness.Evaluation;

public sealed record SetMeasurement(int Count, double Accuracy, double Loss);

/// <summary>Everything `harness unlearn` measures, with the exact configuration that produced it.</summary>
public sealed record UnlearnReport(
    string Dataset, string Model, string Algorithm, int Target, int Expansion, int[] ForgetSet, string ForgetSetSource,
    object Settings, TrainingSettings OriginalTraining,
    SetMeasurement OriginalForget, SetMeasurement Forget, SetMeasurement Remain, SetMeasurement Test,
    MiaResult Mia, Dictionary<string, double> DistancePerLayer, double Distance, double Seconds,
    Dictionary<string, object> Details, int Threads, string Device, string CheckpointPath, string TorchSharpVersion, string LibTorchVersion,
    string RemainEvaluation = "all of D_r", Dictionary<string, double>? PhaseSeconds = null);

/// <summary>What one unlearning run is measured by (a matrix cell, `harness unlearn`): the paper's metrics on the forget, remaining and test sets, MIA-efficacy, parameter distance.</summary>
public static class UnlearnMeasurement
{
    /// <summary>
    /// Runs one algorithm on a given forget set of a trained model and measures the result with one forward pass per set:
    /// the forget set, the test set (accuracy, loss, and the MIA's non-members), and D_r in the seeded shadow order (the
    /// first |test| are the MIA's members; the remaining-set accuracy and loss cover the first remainSample
    /// of that order, or all of D_r when it is 0). Where the time goes is kept in PhaseSeconds. <paramref name="inspect"/>, when
    /// given, sees the unlearned model before it is disposed (the cells' per-example evidence).
    /// </summary>
    public static UnlearnReport Measure(IUnlearner unlearner, UnlearnSettings settings, TrainedModel trained, DataSplits data,
        int[] forget, string source, int target, int expansion, int remainSample, IProgress? progress = null, int? threads = null,
        Action<TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>>? inspect = null)
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
        int remainCount = remainSample > 0 ? Math.Min(remainSample, remain.Length) : remain.Length;
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
        SetMeasurement M(SetEvaluation e) => new(e.Count, e.Accuracy, e.Loss);
        string remainEvaluation = remainCount == remain.Length ? "all of D_r"
            : $"a seeded sample of {remainCount} points of D_r (seed {settings.Seed}; the MIA's shadow members{(remainCount > shadowCount ? " and more" : "")})";
        var report = new UnlearnReport(data.Name, trained.ModelName, unlearner.Name, target, expansion, forget, source,
            settings, trained.Settings, new SetMeasurement(before.Count, before.Accuracy, before.Loss), M(onForget.Summary()), M(onRemain.Summary(remainCount)), M(onTest.Summary()),
            mia, perLayer, total, seconds, result.Details,
            cellTraining.ResolvedThreads, trained.Device.type.ToString().ToLowerInvariant(), trained.CheckpointPath, Versions.TorchSharp, Versions.LibTorch,
            remainEvaluation, phases);
        if (inspect != null)
        {
            inspect(result.Model);
            phases["evidence"] = Lap();
        }
        result.Model.Dispose();
        return report;
    }

}
