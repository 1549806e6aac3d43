using System.Diagnostics;
using System.Globalization;
using Harness.Data;
using Harness.Jobs;
using Harness.Populations;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Pipelines;

/// <summary>
/// `harness bench --population`: the cost of a population on this machine, measured in one run beside the machine's FP32
/// FMA peak. Training: W models (the matrix's worker count) step side by side, one thread each, as the population's worker
/// processes do, for a fixed number of steps on their halves; from the step time follow the seconds per full model (the
/// original's epochs), models per hour and the achieved FLOP rate (cnn2's multiply-adds counted layer by layer, forward
/// and backward, 2 FLOPs each) as a ratio to the peak on W cores. U-LiRA: K GradAscent unlearnings (Table 5) of single
/// points on one thread, per point.
/// </summary>
public static class PopulationBench
{
    public sealed record Report(string Dataset, string Model, int HalfCount, int Workers, int Epochs, int StepsMeasured, double SecondsPerStep, double SecondsPerModel,
        double ModelsPerHour, double MegaflopsPerExample, double AchievedGflops, double PeakGflops, double PeakGflopsOneCore, string PeakVector, double RatioToPeak, double PeakGflops256, double RatioToPeak256,
        int UliraK, int UliraPoints, double UliraSecondsPerPoint, int Models, double PopulationMinutes, string Machine, string TorchSharpVersion, string LibTorchVersion, string Command);

    /// <summary>Multiply-adds of cnn2 per example: forward, and backward (weight gradients of every layer, input gradients of all but the first).</summary>
    public static double Cnn2MacsPerExample()
    {
        double conv1 = 16 * 24 * 24 * (1 * 25), conv2 = 32 * 8 * 8 * (16 * 25), head = 512 * 10;
        double forward = conv1 + conv2 + head;
        return forward + (conv1 + conv2 + head) + (conv2 + head);
    }

    public static Report Run(TrainOptions train, int workers, int steps, int models, int uliraK, int uliraPoints, string outPath, string command, Action<string> say, Action<string> note)
    {
        var (trained, data, _) = TrainJob.Run(train);
        var settings = trained.Settings;
        var members = ComplementaryHalves.Membership(Math.Max(2, workers + workers % 2), data.Train.Count, 0);
        note($"peak: FP32 FMA loop on {workers} core(s), then 1");
        var peak = FmaPeak.Measure(workers, 2.0);
        var peakOne = FmaPeak.Measure(1, 1.0);
        var peak256 = FmaPeak.Measure(workers, 2.0, at256: true); // the width LibTorch's kernels get under the portable ISA cap

        note($"training: {workers} population models side by side, one thread each, {steps} steps each");
        Devices.PinThreads(1);
        var halves = Enumerable.Range(0, workers).Select(w => data.Train.Subset(Enumerable.Range(0, data.Train.Count).Where(i => members[w][i]).ToArray())).ToArray();
        var seconds = new double[workers];
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            var s = PopulationModel.SettingsOf(settings, 1000 + w) with { Epochs = 1, MaxSteps = steps };
            var model = Trainer.Initialise(trained.ModelName, halves[w], s, trained.Device);
            var watch = Stopwatch.StartNew();
            Trainer.Train(model, halves[w], s, trained.Device);
            seconds[w] = watch.Elapsed.TotalSeconds;
            model.Dispose();
        })).ToList();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        double perStep = seconds.Max() / steps;
        int half = halves.Min(h => h.Count);
        long stepsPerModel = (long)settings.Epochs * ((half + settings.BatchSize - 1) / settings.BatchSize);
        double perModel = perStep * stepsPerModel;
        double macs = trained.ModelName == "cnn2" ? Cnn2MacsPerExample() : double.NaN;
        double achieved = workers * 2 * macs * settings.BatchSize / perStep / 1e9;

        note($"U-LiRA: {uliraK} GradAscent unlearnings (Table 5) of each of {uliraPoints} single points, one thread");
        var ga = (GradAscentSettings)UnlearnerRegistry.Resolve("gradascent", data.Name, null);
        var watchU = Stopwatch.StartNew();
        for (int p = 0; p < uliraPoints; p++)
            for (int k = 0; k < uliraK; k++)
            {
                var context = new UnlearnContext(trained.Model, trained.ModelName, data.Train, new[] { p * 97 }, Array.Empty<int>(), ga, settings, trained.Device);
                using var result = new GradAscent().Unlearn(context).Model;
            }
        double uliraPerPoint = watchU.Elapsed.TotalSeconds / uliraPoints;

        var report = new Report(data.Name, trained.ModelName, half, workers, settings.Epochs, steps, perStep, perModel, 3600 * workers / perModel,
            2 * macs / 1e6, achieved, peak.Gflops, peakOne.Gflops, peak.Vector, achieved / peak.Gflops, peak256.Gflops, achieved / peak256.Gflops, uliraK, uliraPoints, uliraPerPoint,
            models, Math.Ceiling(models / (double)workers) * perModel / 60, Machine.Describe(), Versions.TorchSharp, Versions.LibTorch, command);
        AtomicFile.WriteAllText(outPath, Json.Serialize(report));
        say(string.Create(CultureInfo.InvariantCulture,
            $"population training: {perStep * 1000:F1} ms per step ({workers} models side by side, one thread each), {perModel:F0} s per model of {settings.Epochs} epochs on {half} points, " +
            $"{report.ModelsPerHour:F0} models per hour; {models} models ≈ {report.PopulationMinutes:F1} min"));
        say(string.Create(CultureInfo.InvariantCulture,
            $"achieved {achieved:F1} GFLOP/s ({2 * macs / 1e6:F2} MFLOP per example and step) against a measured FP32 FMA peak of {peak.Gflops:F0} GFLOP/s on {workers} core(s) ({peak.Vector}): {achieved / peak.Gflops:P1} of peak; {achieved / peak256.Gflops:P1} of the 256-bit peak ({peak256.Gflops:F0} GFLOP/s) that the portable ISA cap leaves LibTorch's kernels"));
        say(string.Create(CultureInfo.InvariantCulture, $"U-LiRA: {uliraPerPoint:F2} s per point for K = {uliraK} on one thread"));
        return report;
    }
}
