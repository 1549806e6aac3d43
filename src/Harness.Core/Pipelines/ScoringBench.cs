using System.Diagnostics;
using static TorchSharp.torch;
using Harness.Jobs;
using Harness.Scoring;

namespace Harness.Pipelines;

/// <summary>
/// `harness bench`: scores every MNIST training point in the input and the joint kernel space and sets each kernel pass
/// against the machine's physical limit, measured in the same run: the FP32 FMA peak of all cores (a register-only FMA
/// loop, <see cref="FmaPeak"/>, before and after the passes; the higher counts). Per space: the pass's seconds, the
/// seconds of its products alone (the block triangle of X Xᵀ and U Uᵀ by <see cref="FmaGemm"/>, measured separately:
/// in the pass they run fused with κ) and their GFLOP/s against the peak, the pass over its products, ms per training point, and for comparison the old floor: the same triangle by
/// LibTorch's matmul in the current ISA mode. The LibTorch floor, the products alone and the pass alternate --repeat times; the fastest of
/// each counts, because on a shared machine noise only ever adds time. Every sample is reported.
/// </summary>
public static class ScoringBench
{
    /// <summary>One kernel space's pass against its own floor, both measured in this run.</summary>
    public sealed record SpaceBench(string Space, string Features, string Bandwidth, long D, double H, double H2,
        double KernelSeconds, double ProductsSeconds, double ProductsGflops, double ProductsOfPeak, double KernelOverProducts, double MsPerPoint,
        double LibTorchFloorSeconds, double KernelOverLibTorchFloor,
        Dictionary<string, double> KernelPhases, string KernelStrategy, double[] KernelSamples, double[] ProductsSamples, double[] LibTorchFloorSamples);

    public sealed record BenchReport(
        string Dataset, int N, int Threads, int BlockSize, int TopK, double ScoresSeconds, double PeakGflops, string PeakVector, double[] PeakSamples,
        string GemmWidth, List<SpaceBench> Spaces, double PeakRssMb,
        string Machine, string TorchSharpVersion, string LibTorchVersion, string IsaMode, string Command, int Repeat, string Definitions);

    public static BenchReport Run(TrainOptions train, ScoringOptions[] profiles, int? limit, int repeat, string outPath, string command, Action<string> say, Action<string> note)
    {
        if (profiles.Any(p => p.Kernel != KernelKind.Rbf)) throw new HarnessException("--kernel: the benchmark measures the RBF kernel (its floor is U Uᵀ and X Xᵀ).");

        var (trained, data, _) = TrainJob.Run(train);
        var set = limit is int l && l < data.Train.Count ? data.Train.Take(l) : data.Train;
        foreach (var p in profiles) SymmetricKernelPass.CheckScratch(p, set.Count);
        using var images = set.ImagesTensor(trained.Device);
        using var labels = set.LabelsTensor(trained.Device);

        var watch = Stopwatch.StartNew();
        using var stein = SteinScores.Compute(trained.Model, images, labels, profiles[0].Score, profiles[0].ScoreBatch,
            features: profiles.Any(p => p.Features == FeatureSpace.Penultimate) ? FeatureSpace.Penultimate : FeatureSpace.Input);
        double scoresSeconds = watch.Elapsed.TotalSeconds;
        var spaces = new List<SpaceBench>();
        int topK = 0;
        int threads = Math.Max(1, get_num_threads());
        var peaks = new List<FmaPeak.Result> { FmaPeak.Measure(threads, seconds: 2) };
        note(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"FP32 FMA peak, {threads} threads, {peaks[0].Vector}: {peaks[0].Gflops:F0} GFLOP/s"));
        foreach (var scoring in profiles)
        {
            using var inputs = KernelInputs.Build(scoring, images, labels, stein);
            var (kernel, _) = KernelFactory.Create(scoring, inputs.X);
            var rbf = (RbfKernel)kernel;
            string space = Config.SettingField.Format(scoring.Space);
            note($"{space} space (d = {inputs.Columns}): the LibTorch floor (the block triangle of X Xᵀ and U Uᵀ by matmul) and the pass, n = {set.Count}");
            var floors = new List<double>();
            var productSamples = new List<double>();
            var kernels = new List<double>();
            // of the fastest pass only its phases: holding no neighbour lists between passes keeps the peak RSS of one pass
            (int K, Dictionary<string, double> Phases, string Strategy) best = default;
            for (int t = 0; t < repeat; t++)
            {
                GC.Collect(); // the previous pass's arrays go before this measurement, not during it
                floors.Add(SteinKernelPass.FloorSeconds(rbf, inputs.X, inputs.S, scoring));
                productSamples.Add(SymmetricKernelPass.ProductsSeconds(rbf, inputs.X, inputs.S, scoring));
                GC.Collect();
                watch.Restart();
                var run = SteinKernelPass.Run(kernel, inputs.X, inputs.S, scoring, new ConsoleProgress());
                kernels.Add(watch.Elapsed.TotalSeconds);
                if (kernels[^1] <= kernels.Min()) best = (run.K, run.PhaseSeconds, run.Strategy);
                note(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{space} space, measurement {t + 1}/{repeat}: LibTorch floor {floors[^1]:F1} s, products alone {productSamples[^1]:F1} s, kernel pass {kernels[^1]:F1} s"));
            }
            double floor = floors.Min(), kernelSeconds = kernels.Min();
            topK = best.K;
            double products = productSamples.Min();
            double gflops = SymmetricKernelPass.ProductFlops(set.Count, inputs.Columns, scoring.BlockFor(set.Count)) / products / 1e9;
            spaces.Add(new SpaceBench(space, Config.SettingField.Format(scoring.Features), Config.SettingField.Format(scoring.Bandwidth), inputs.Columns,
                rbf.H, rbf.H * rbf.H, kernelSeconds, products, gflops, double.NaN, kernelSeconds / products, kernelSeconds * 1e3 / set.Count,
                floor, kernelSeconds / floor, best.Phases ?? new(), best.Strategy ?? "", kernels.ToArray(), productSamples.ToArray(), floors.ToArray()));
        }
        peaks.Add(FmaPeak.Measure(threads, seconds: 2));
        double peak = peaks.Max(p => p.Gflops);
        spaces = spaces.Select(sp => sp with { ProductsOfPeak = sp.ProductsGflops / peak }).ToList();
        foreach (var sp in spaces)
            say(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{sp.Space} space, n = {set.Count}, d = {sp.D}: kernel pass {sp.KernelSeconds:F1} s ({sp.MsPerPoint:F2} ms/point), products {sp.ProductsSeconds:F1} s = {sp.ProductsGflops:F0} GFLOP/s = {sp.ProductsOfPeak:P1} of the {peak:F0} GFLOP/s peak; pass/products {sp.KernelOverProducts:F2}; LibTorch floor {sp.LibTorchFloorSeconds:F1} s"));

        var report = new BenchReport(data.Name, set.Count, trained.Threads, profiles[0].BlockFor(set.Count), topK, scoresSeconds,
            peak, peaks[0].Vector, peaks.Select(p => p.Gflops).ToArray(), FmaGemm.Widest.ToString(), spaces, PeakRssMb(),
            Machine.Describe(), Versions.TorchSharp, Versions.LibTorch, Numerics.CpuIsa.Describe(), command, repeat,
            $"kernel_seconds: fastest of {repeat} passes; products_seconds: fastest of {repeat} runs of the products alone (the pass's block triangles of X Xᵀ and U Uᵀ by FmaGemm, no κ, reductions or spill); kernel_phases: the fastest pass's own phases (its products run fused with κ); products_gflops: " +
            "2 products x 2 d FLOPs per entry of each block's triangle / products_seconds; products_of_peak: over peak_gflops, " +
            $"the higher of the FMA peaks measured before and after; lib_torch_floor_seconds: fastest of {repeat} LibTorch matmuls of the same triangles (the old floor)");
        AtomicFile.WriteAllText(outPath, Json.Serialize(report));
        say(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Stein scores {scoresSeconds:F1} s; peak RSS {report.PeakRssMb:F0} MB"));
        return report;
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
