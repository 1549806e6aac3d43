using Harness.Numerics;
using Harness.Util;
using System.Diagnostics;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// Streams κ in row blocks so the n×n kernel is never held in memory: O(block·n + n·d). The RBF float32 row-standardised
/// configuration (the default) runs <see cref="SymmetricKernelPass"/>, which computes each entry once; every other one
/// computes complete rows per block here. Every per-point statistic comes out of one pass (two with `standardize: global`,
/// whose mean and deviation need all rows first).
/// </summary>
public static class SteinKernelPass
{
    /// <summary>What a pass fills per row: MKSD, log MSKSD, κ's row mean and SD, and the top-k neighbour indices and values (n × k).</summary>
    internal static (double[] Mksd, double[] LogMsksd, double[] Mean, double[] Sd, int[] NbIndex, float[] NbValue) RowArrays(int n, int k) =>
        (new double[n], new double[n], new double[n], new double[n], HugePages.NewArray<int>((long)n * k), HugePages.NewArray<float>((long)n * k));

    public static KernelStatistics Run(BaseKernel kernel, Tensor x, Tensor s, ScoringOptions options, IProgress? progress = null)
    {
        options.Validate();
        int n = (int)x.shape[0];
        if (n < 2) throw new HarnessException($"the Stein kernel needs at least 2 points, got {n}.");
        var why = SymmetricKernelPass.Unsupported(kernel, options, n);
        if (why == null) return SymmetricKernelPass.Run((RbfKernel)kernel, x, s, options, progress);
        return FullRows(kernel, x, s, options, progress) with { Strategy = $"complete rows per block ({why})" };
    }

    /// <summary>Every block computes its complete rows: twice the products of the symmetric pass, but no disk.</summary>
    public static KernelStatistics FullRows(BaseKernel kernel, Tensor x, Tensor s, ScoringOptions options, IProgress? progress = null)
    {
        options.Validate();
        int n = (int)x.shape[0];
        if (n < 2) throw new HarnessException($"the Stein kernel needs at least 2 points, got {n}.");
        var dtype = options.DType;
        int block = options.BlockFor(n);
        bool include = options.Diagonal == DiagonalMode.Include;
        int k = Math.Min(options.TopK, n - 1);
        double m = include ? n : n - 1;
        var (mksd, logMsksd, mean, sd, nbIndex, nbValue) = SteinKernelPass.RowArrays(n, k);
        bool global = options.Standardize == Standardization.Global;

        using var xs = x.to(dtype).contiguous();
        using var ss = s.to(dtype).contiguous();
        using var prepared = kernel.Prepare(xs, ss);
        int blocks = (n + block - 1) / block;
        progress?.Start("kernel", global ? 2L * blocks : blocks);

        double gMean = 0, gSd = 0, kernelSeconds = 0, statsSeconds = 0, topKSeconds = 0;
        var phase = new Stopwatch();
        for (int pass = global ? 0 : 1; pass < 2; pass++)
        {
            for (int bi = 0; bi < blocks; bi++)
            {
                using var scope = NewDisposeScope();
                using var held = new HeldScalars();
                int start = bi * block, count = Math.Min(block, n - start);
                phase.Restart();
                var kappa = kernel.SteinBlock(prepared, start, count);
                kernelSeconds += phase.Elapsed.TotalSeconds;
                phase.Restart();
                var diag = kappa.narrow(1, start, count).diagonal();
                if (pass == 0)
                {
                    // Global standardisation: Σκ and Σκ² of every counted entry first.
                    if (!include) diag.zero_();
                    gMean += kappa.sum().to(ScalarType.Float64).item<double>();
                    gSd += kappa.pow(held.Of(2)).sum().to(ScalarType.Float64).item<double>();
                    progress?.Report(bi + 1);
                    continue;
                }
                var rowSum = kappa.sum(1L).to(ScalarType.Float64);
                if (!include) rowSum.sub_(diag.to(ScalarType.Float64));
                var rowMean = rowSum.div(held.Of(m));
                var rowMeanD = rowMean.to(dtype).unsqueeze(1);

                if (k > 0)
                {
                    var topWatch = Stopwatch.StartNew();
                    var saved = diag.clone();
                    diag.fill_(held.Of(double.NegativeInfinity));
                    var (values, indices) = kappa.topk(k, 1);
                    values.to(ScalarType.Float32).contiguous().data<float>().CopyTo(nbValue, start * k);
                    indices.to(ScalarType.Int32).contiguous().data<int>().CopyTo(nbIndex, start * k);
                    diag.copy_(saved);
                    topKSeconds += topWatch.Elapsed.TotalSeconds;
                }
                // Deviations over the counted entries: an excluded diagonal is set to the row mean so it adds nothing.
                if (!include) diag.copy_(rowMeanD.squeeze(1));
                kappa.sub_(rowMeanD);
                // the row's 2-norm by Tensor.norm: linalg.vector_norm makes its order a Scalar nothing holds (HeldScalars);
                // both are LibTorch's linalg_vector_norm (ScalarLifetimeTests compares their bits)
                var rowSd = kappa.norm(1, false, 2f).to(ScalarType.Float64).div(held.Of(Math.Sqrt(m)));

                Tensor standardized;
                if (global)
                {
                    kappa.add_(rowMeanD, held.Of(1)).sub_(held.Of(gMean)).div_(held.Of(gSd));
                    standardized = kappa;
                }
                else // a constant row has sd 0 and deviations 0: standardise to zeros, not 0/0
                    standardized = kappa.div_(rowSd.to(dtype).clamp_min(held.Of(dtype == ScalarType.Float32 ? 1e-30 : 1e-300)).unsqueeze(1));
                if (!include) diag.fill_(held.Of(double.NegativeInfinity));
                // log Σ exp(κ̂): exp(κ̂) overflows float32 for heavy-tailed rows, so subtract the row maximum first.
                var max = standardized.amax(new long[] { 1 }, keepdim: true);
                var lse = standardized.sub_(max).exp_().sum(1L).to(ScalarType.Float64).log_().add_(max.squeeze(1).to(ScalarType.Float64), held.Of(1));

                rowSum.data<double>().CopyTo(mksd, start);
                rowMean.data<double>().CopyTo(mean, start);
                rowSd.data<double>().CopyTo(sd, start);
                lse.data<double>().CopyTo(logMsksd, start);
                statsSeconds += phase.Elapsed.TotalSeconds;
                progress?.Report((global ? blocks : 0) + bi + 1);
            }
            if (pass == 0)
            {
                double count = (double)n * m;
                gMean /= count;
                gSd = Math.Sqrt(Math.Max(gSd / count - gMean * gMean, 0));
                if (gSd == 0) gSd = 1; // every κ equal: deviations are 0 whatever the divisor
            }
        }
        progress?.Finish();
        return new KernelStatistics(n, k, mksd, logMsksd, mean, sd, nbIndex, nbValue, gMean, gSd)
        {
            // κ blocks (products + elementwise), then per-row statistics and, within them, the top-K selection
            PhaseSeconds = new() { ["kappa_blocks"] = kernelSeconds, ["row_statistics"] = statsSeconds - topKSeconds, ["top_k"] = topKSeconds },
        };
    }

    /// <summary>
    /// The benchmark's old floor, for comparison: the block triangle of X Xᵀ and U Uᵀ by LibTorch's matmul (what the
    /// symmetric pass used before its own FMA products), into outputs allocated and touched before the clock starts.
    /// </summary>
    public static double FloorSeconds(RbfKernel kernel, Tensor x, Tensor s, ScoringOptions options)
    {
        var dtype = options.DType;
        int n = (int)x.shape[0];
        int block = options.BlockFor(n);
        using var xs = x.to(dtype).contiguous();
        using var ss = s.to(dtype).contiguous();
        using var prepared = kernel.Prepare(xs, ss);
        using var xx = zeros((long)Math.Min(block, n) * n, dtype);
        using var uu = zeros((long)Math.Min(block, n) * n, dtype);
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < n; start += block)
            RbfKernel.TriangleProducts(prepared, start, Math.Min(block, n - start), xx, uu);
        return clock.Elapsed.TotalSeconds;
    }
}
