namespace Harness.Populations;

/// <summary>One point's ε and its score bucket.</summary>
public sealed record EpsilonResult(double Epsilon, double Points, bool Peaky);

/// <summary>
/// The NeurIPS 2023 unlearning competition's per-example ε (google-deepmind/unlearning_evaluation, metric.py), re-derived:
/// K φ values of a point under unlearned models against K under models that never saw it. The side with the larger
/// median is "positive". Every threshold of two decision-rule families is tried: one threshold (predict positive at or
/// above it; thresholds every 1/100 over the pooled range) and two thresholds (predict the peakier side between them;
/// right edges every 1/100 from its min + the narrower range − 2 to its max + 2, left edges 400 per right edge, from
/// right − width − 2 to right − width + 2). Each threshold with FPR and FNR both positive gives
/// ε = max(log(1 − δ − FPR) − log FNR, log(1 − δ − FNR) − log FPR, 0); one that separates perfectly gives ∞; the others
/// are skipped. The point's ε is the largest, capped at 50; if one side's range is under 1 % of the other's (a peaky
/// unlearned distribution), ε is the cap outright.
/// Resolution: rates are multiples of 1/K, so a finite ε is at most log(K − 1 − δK) (1.95 at K = 8, 2.71 at K = 16);
/// anything beyond reads as the cap. The competition scores a point by its bucket of width 0.5 below ⌈log(K − 1)⌉
/// (1, 1/2, 1/4, … points; 0 at or above).
/// </summary>
public static class PerExampleEpsilon
{
    public const double Delta = 1e-5, Cap = 50, ThresholdsPerUnit = 100, Buffer = 2, BucketWidth = 0.5;

    public static EpsilonResult Of(IReadOnlyList<double> unlearned, IReadOnlyList<double> retrained)
    {
        if (unlearned.Count < 2 || retrained.Count < 2) throw new HarnessException($"ε needs at least 2 models on each side, got {unlearned.Count} unlearned and {retrained.Count} retrained.");
        if (unlearned.Concat(retrained).Any(v => !double.IsFinite(v))) throw new HarnessException("ε needs finite φ values on both sides.");
        bool retrainPositive = Median(retrained) > Median(unlearned);
        var pos = (retrainPositive ? retrained : unlearned).Order().ToArray();
        var neg = (retrainPositive ? unlearned : retrained).Order().ToArray();
        double eps = Epsilon(pos, neg, out bool peaky);
        return new EpsilonResult(eps, BucketPoints(eps, Math.Min(unlearned.Count, retrained.Count)), peaky);
    }

    /// <summary>The competition's points for one ε with K models a side: 1 below 0.5, halving each 0.5, 0 from ⌈log(K − 1)⌉ on.</summary>
    public static double BucketPoints(double epsilon, int models)
    {
        double max = Math.Ceiling(Math.Log(models - 1));
        double points = 1;
        for (double start = 0; start + BucketWidth <= max; start += BucketWidth, points /= 2)
            if (epsilon < start + BucketWidth) return points;
        return 0;
    }

    static double Epsilon(double[] pos, double[] neg, out bool peaky)
    {
        double posDiff = pos[^1] - pos[0], negDiff = neg[^1] - neg[0];
        double largest = posDiff > negDiff ? posDiff : negDiff, smallest = posDiff > negDiff ? negDiff : posDiff;
        peaky = smallest / largest < 0.01; // NaN (both constant) is not peaky, as in numpy
        if (peaky) return Cap;
        double best = double.NaN;
        void Consider(double tpr, double fpr)
        {
            double fnr = 1 - tpr, tnr = 1 - fpr, e;
            if (fpr + fnr == 0 && tpr + tnr == 2) e = double.PositiveInfinity;
            else if (fpr * fnr == 0) return;
            else e = Math.Max(0, NanMax(Math.Log(1 - Delta - fpr) - Math.Log(fnr), Math.Log(1 - Delta - fnr) - Math.Log(fpr)));
            if (double.IsNaN(best) || e > best) best = e;
        }
        // Two thresholds: the peakier side (the narrower range) is "positive" for this family.
        var (p2, n2) = posDiff >= negDiff ? (neg, pos) : (pos, neg);
        double width = smallest;
        var right = Linspace(p2[0] + width - Buffer, p2[^1] + Buffer, (int)Math.Ceiling((p2[^1] + Buffer - (p2[0] + width - Buffer)) * ThresholdsPerUnit));
        int leftCount = (int)Math.Ceiling(2 * Buffer * ThresholdsPerUnit);
        foreach (var r in right)
            foreach (var l in Linspace(r - width - Buffer, r - width + Buffer, leftCount))
                Consider(Between(p2, l, r) / (double)p2.Length, Between(n2, l, r) / (double)n2.Length);
        // One threshold: positive at or above it.
        double min = Math.Min(pos[0], neg[0]), max = Math.Max(pos[^1], neg[^1]);
        foreach (var t in Linspace(min, max, (int)Math.Ceiling((max - min) * ThresholdsPerUnit)))
            Consider(AtLeast(pos, t) / (double)pos.Length, AtLeast(neg, t) / (double)neg.Length);
        if (double.IsNaN(best)) return double.NaN; // every threshold skipped (the competition's code stops here)
        return Math.Clamp(best, 0, Cap);
    }

    static double NanMax(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);

    /// <summary>numpy's linspace: num points from start to stop inclusive (start alone for num = 1, none for num ≤ 0).</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        if (num <= 0) return Array.Empty<double>();
        if (num == 1) return new[] { start };
        var v = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) v[i] = start + i * step;
        v[^1] = stop;
        return v;
    }

    /// <summary>How many of the sorted values are in [l, r].</summary>
    static int Between(double[] sorted, double l, double r) => r < l ? 0 : UpperBound(sorted, r) - LowerBound(sorted, l);

    /// <summary>How many of the sorted values are ≥ t.</summary>
    static int AtLeast(double[] sorted, double t) => sorted.Length - LowerBound(sorted, t);

    static int LowerBound(double[] s, double x) { int lo = 0, hi = s.Length; while (lo < hi) { int mid = (lo + hi) >> 1; if (s[mid] < x) lo = mid + 1; else hi = mid; } return lo; }
    static int UpperBound(double[] s, double x) { int lo = 0, hi = s.Length; while (lo < hi) { int mid = (lo + hi) >> 1; if (s[mid] <= x) lo = mid + 1; else hi = mid; } return lo; }

    static double Median(IReadOnlyList<double> v)
    {
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
