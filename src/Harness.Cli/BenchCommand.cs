using System.CommandLine;
using System.Diagnostics;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Util;
using static TorchSharp.torch;

namespace Harness.Cli;

/// <summary>
/// `harness bench`: scores every MNIST training point and measures, in the same run, the floor: the row-block
/// triangle of the two symmetric products (U Uᵀ and X Xᵀ) that any evaluation of the RBF Stein kernel needs, made by
/// the same calls as the kernel pass into outputs allocated and touched before its clock starts.
/// </summary>
static class BenchCommand
{
    public sealed record BenchReport(
        string Dataset, int N, long D, int Threads, int BlockSize, int TopK, double H,
        double ScoresSeconds, double KernelSeconds, double FloorSeconds, double Ratio, double PeakRssMb, Dictionary<string, double> KernelPhases,
        string KernelStrategy, string Machine, string TorchSharpVersion, string LibTorchVersion, string Command);

    public static Command Build()
    {
        var trainSet = new TrainOptionSet("benchmark only the first N training points");
        var scoringSet = new ScoringOptionSet();
        var outPath = Opt.Text("--out", "where the report goes", "file", "results/bench/score-<dataset>.json");
        var c = new Command("bench", "the scoring benchmark: kernel pass against its GEMM floor, measured in one run (make bench)")
            .With(trainSet.All).With(scoringSet.All).With(outPath);
        c.SetAction(r =>
        {
            var train = trainSet.Read(r, trainLimit: false);
            return Run(train, scoringSet.Read(r), r.GetValue(trainSet.TrainLimit),
                r.GetValue(outPath) ?? Path.Combine(Paths.RepoRoot, "results", "bench", $"score-{train.Dataset}.json"), r.Tokens.Select(t => t.Value));
        });
        return c;
    }

    static int Run(TrainOptions train, ScoringOptions scoring, int? limit, string outPath, IEnumerable<string> args)
    {
        if (scoring.Kernel != KernelKind.Rbf) throw new HarnessException("--kernel: the benchmark measures the RBF kernel (its floor is U Uᵀ and X Xᵀ).");

        var (trained, data, _) = TrainJob.Run(train);
        var set = limit is int l && l < data.Train.Count ? data.Train.Take(l) : data.Train;
        SymmetricKernelPass.CheckScratch(scoring, set.Count);
        using var images = set.ImagesTensor(trained.Device);
        using var labels = set.LabelsTensor(trained.Device);

        var watch = Stopwatch.StartNew();
        using var stein = SteinScores.Compute(trained.Model, images, labels, scoring.Score, scoring.ScoreBatch);
        double scoresSeconds = watch.Elapsed.TotalSeconds;
        using var x = images.flatten(1).cpu();
        var (kernel, median) = KernelFactory.Create(scoring, x);

        Console.Error.WriteLine($"floor: the block triangle of X Xᵀ and U Uᵀ for n = {set.Count}");
        double floor = SteinKernelPass.FloorSeconds((RbfKernel)kernel, x, stein.S, scoring);
        watch.Restart();
        var stats = SteinKernelPass.Run(kernel, x, stein.S, scoring, new ConsoleProgress());
        double kernelSeconds = watch.Elapsed.TotalSeconds;

        var report = new BenchReport(data.Name, set.Count, x.shape[1], trained.Threads,
            scoring.BlockFor(set.Count), stats.K, ((RbfKernel)kernel).H,
            scoresSeconds, kernelSeconds, floor, kernelSeconds / floor, PeakRssMb(), stats.PhaseSeconds, stats.Strategy,
            Machine.Describe(), Versions.TorchSharp, Versions.LibTorch,
            "harness " + string.Join(" ", args));
        AtomicFile.WriteAllText(outPath, Json.Serialize(report));
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"n = {report.N}: scores {scoresSeconds:F1} s, kernel {kernelSeconds:F1} s, floor {floor:F1} s, ratio {report.Ratio:F2}, peak RSS {report.PeakRssMb:F0} MB"));
        Console.WriteLine($"wrote {outPath}");
        return 0;
    }

    /// <summary>Peak resident set size of this process (VmHWM), in MB.</summary>
    static double PeakRssMb()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return double.NaN;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line == null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
