using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>Builds the configured base kernel; for RBF without a fixed bandwidth, by the median heuristic on X.</summary>
public static class KernelFactory
{
    public static (BaseKernel Kernel, MedianBandwidth.Result? Median) Create(ScoringOptions options, Tensor x)
    {
        if (options.Kernel == KernelKind.Imq) return (new ImqKernel(options.ImqC, options.ImqBeta), null);
        if (options.Bandwidth is double h) return (new RbfKernel(h), null);
        var median = MedianBandwidth.Compute(x, options.BandwidthSample, options.BandwidthSeed);
        return (new RbfKernel(median.H), median);
    }
}
