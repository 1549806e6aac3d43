namespace Harness.Populations;

/// <summary>
/// KLOM (Georgiev et al. 2024; RoyRin/data-unlearning-bench, unlearning_bench/eval.py, compute_binned_KL_div), re-derived:
/// the KL divergence D(unlearned ‖ oracle) between histograms of a point's margins (φ) under unlearned models and under
/// models that never saw it. Both samples are clipped to [−100, 100]; 20 equal bins span their pooled range (one unit if
/// every value is equal); a value falls in bin i when edge_i ≤ v &lt; edge_{i+1}, so, as numpy's digitize does there, a value
/// equal to the last edge (the pooled maximum) is in no bin; each histogram is normalised over its counted values; where
/// the unlearned side has mass the oracle side gets at least 1e-5, and both are renormalised before Σ p log(p/q) (scipy's
/// entropy). 0 when the histograms agree; grows as the unlearned models' margins leave the oracle's range.
/// </summary>
public static class Klom
{
    public const int Bins = 20;
    public const double Eps = 1e-5, ClipMin = -100, ClipMax = 100;

    public static double Of(IReadOnlyList<double> unlearned, IReadOnlyList<double> oracle)
    {
        if (unlearned.Count == 0 || oracle.Count == 0) throw new HarnessException("KLOM needs models on both sides.");
        var p = unlearned.Select(v => Math.Clamp(v, ClipMin, ClipMax)).ToArray();
        var q = oracle.Select(v => Math.Clamp(v, ClipMin, ClipMax)).ToArray();
        double start = Math.Min(p.Min(), q.Min()), end = Math.Max(p.Max(), q.Max());
        if (start >= end) end = start + 1;
        var edges = PerExampleEpsilon.Linspace(start, end, Bins + 1);
        var pp = Probabilities(Histogram(p, edges));
        var qq = Probabilities(Histogram(q, edges));
        for (int b = 0; b < Bins; b++) if (pp[b] > 0) qq[b] = Math.Max(qq[b], Eps);
        double ps = pp.Sum(), qs = qq.Sum();
        if (ps == 0) return 0;
        double kl = 0;
        for (int b = 0; b < Bins; b++)
            if (pp[b] > 0) kl += pp[b] / ps * Math.Log(pp[b] / ps / (qq[b] / qs));
        return kl;
    }

    static int[] Histogram(double[] values, double[] edges)
    {
        var counts = new int[Bins];
        foreach (var v in values)
        {
            // numpy.digitize (right=False): index i with edges[i-1] ≤ v < edges[i]; counted when 1 ≤ i ≤ Bins.
            int i = 0;
            while (i < edges.Length && edges[i] <= v) i++;
            if (i >= 1 && i <= Bins) counts[i - 1]++;
        }
        return counts;
    }

    static double[] Probabilities(int[] counts)
    {
        double total = counts.Sum();
        return counts.Select(c => total > 0 ? c / total : 0.0).ToArray();
    }
}
