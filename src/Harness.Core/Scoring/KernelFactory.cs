using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>Builds the configured base kernel for the points it will see (their columns set h² = dimension; the median heuristic samples them).</summary>
public static class KernelFactory
{
    public static (BaseKernel Kernel, MedianBandwidth.Result? Median) Create(ScoringOptions options, Tensor x)
    {
        if (options.Kernel == KernelKind.Imq) return (new ImqKernel(options.ImqC, options.ImqBeta), null);
        switch (options.Bandwidth.Rule)
        {
            case BandwidthRule.Fixed: return (new RbfKernel(options.Bandwidth.H), null);
            case BandwidthRule.Dimension: return (new RbfKernel(Math.Sqrt(x.shape[1])), null);
            default:
                var median = MedianBandwidth.Compute(x, options.BandwidthSample, options.BandwidthSeed);
                return (new RbfKernel(median.H), median);
        }
    }
}
