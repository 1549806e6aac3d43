namespace Harness.Study;

/// <summary>A Spearman correlation with its percentile-bootstrap interval.</summary>
public readonly record struct Correlation(int N, double Rho, double Low, double High);

/// <summary>
/// The study's statistics (docs/method.md): Spearman ρ with average ranks for ties, a seeded percentile bootstrap interval,
/// and the AUROC of a score for "hard" = the top quarter of a ground truth. Plain double-precision code, no library.
/// </summary>
public static class Statistics
{
    /// <summary>Ranks 1..n, tied values sharing the mean of the ranks they span (scipy.stats.rankdata's `average`).</summary>
    public static double[] AverageRanks(IReadOnlyList<double> v)
    {
        int n = v.Count;
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (a, b) => v[a].CompareTo(v[b]));
        var r = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && v[order[j + 1]].CompareTo(v[order[i]]) == 0) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[order[k]] = mean;
            i = j + 1;
        }
        return r;
    }

    /// <summary>Pearson correlation; NaN when either side is constant.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        if (n != y.Count) throw new ArgumentException("x and y differ in length");
        if (n < 2) return double.NaN;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n; my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>Spearman ρ: Pearson correlation of the average ranks (scipy.stats.spearmanr).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y) => Pearson(AverageRanks(x), AverageRanks(y));

    /// <summary>
    /// ρ and its percentile bootstrap 95 % interval: <paramref name="resamples"/> resamples of the n pairs with replacement
    /// from a generator seeded with <paramref name="seed"/>; the interval is the 2.5 % and 97.5 % quantiles (linear
    /// interpolation) of the resampled ρ, leaving out resamples where ρ is undefined (a constant side).
    /// </summary>
    public static Correlation SpearmanWithInterval(IReadOnlyList<double> x, IReadOnlyList<double> y, int resamples, int seed)
    {
        int n = x.Count;
        double rho = Spearman(x, y);
        if (double.IsNaN(rho)) return new Correlation(n, rho, double.NaN, double.NaN);
        var rng = new Random(seed);
        var rhos = new List<double>(resamples);
        var bx = new double[n]; var by = new double[n];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < n; i++) { int k = rng.Next(n); bx[i] = x[k]; by[i] = y[k]; }
            double r = Spearman(bx, by);
            if (!double.IsNaN(r)) rhos.Add(r);
        }
        rhos.Sort();
        return new Correlation(n, rho, Quantile(rhos, 0.025), Quantile(rhos, 0.975));
    }

    /// <summary>Quantile of sorted values, linear interpolation between order statistics (numpy's default).</summary>
    /// <summary>The index of the largest value (the first, on ties): the class a row of log-probabilities predicts.</summary>
    public static long ArgMax(IReadOnlyList<double> row)
    {
        int best = 0;
        for (int c = 1; c < row.Count; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>
    /// AUROC of <paramref name="score"/> (higher = predicted harder) for the label "hard" = ground truth at or above its
    /// 75th percentile (the top quarter; ties at the cut are all hard): the Mann–Whitney U of the hard against the other
    /// points over n_hard·n_other, ties counting one half. NaN when either class is empty.
    /// </summary>
    public static double AurocTopQuarter(IReadOnlyList<double> score, IReadOnlyList<double> truth)
    {
        var sorted = truth.OrderBy(t => t).ToList();
        double cut = Quantile(sorted, 0.75);
        var hard = truth.Select(t => t >= cut).ToArray();
        return Auroc(score, hard);
    }

    public static double Auroc(IReadOnlyList<double> score, IReadOnlyList<bool> positive)
    {
        var ranks = AverageRanks(score);
        int n1 = positive.Count(p => p), n0 = positive.Count - n1;
        if (n1 == 0 || n0 == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < ranks.Length; i++) if (positive[i]) sum += ranks[i];
        return (sum - n1 * (n1 + 1) / 2.0) / ((double)n1 * n0);
    }
}
