using Harness.Numerics;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>The median heuristic: h² = median of ‖a−b‖²/2 over the pairs of a fixed-seed sample of at most m points.</summary>
public static class MedianBandwidth
{
    public sealed record Result(double H, double MedianSquaredDistance, int SampleSize, int Seed);

    public static Result Compute(Tensor x, int maxSample, int seed)
    {
        long n = x.shape[0];
        if (n < 2) throw new HarnessException($"the median heuristic needs at least 2 points, got {n}.");
        int m = (int)Math.Min(n, maxSample);
        var pick = Enumerable.Range(0, (int)n).ToArray();
        new Random(seed).Shuffle(pick);
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var idx = tensor(pick[..m].Select(i => (long)i).ToArray());
        var xs = x.index_select(0, idx).to(ScalarType.Float64);
        var d2 = cdist(xs, xs).pow_(held.Of(2));
        var upper = d2.masked_select(ones(m, m, dtype: ScalarType.Bool).triu(1));
        double median = upper.median().item<double>(); // lower median of the m(m−1)/2 pairs
        if (!(median > 0))
            throw new HarnessException($"median heuristic: the median squared distance between {m} sampled inputs is {median} (the inputs are identical or nearly so), " +
                "so the RBF bandwidth would be 0. Give a fixed bandwidth (--bandwidth H) or check the data.");
        return new Result(Math.Sqrt(median / 2), median, m, seed);
    }
}
