namespace Harness.Populations;

/// <summary>A point's φ across the population: mean and standard deviation over the models that trained on it (in) and those that did not (out).</summary>
public sealed record InOut(int InCount, double InMean, double InSd, int OutCount, double OutMean, double OutSd);

/// <summary>Feldman–Zhang memorization of a point: mean correctness of the models that saw it minus of those that did not, with its standard error.</summary>
public sealed record Memorization(double Value, double StandardError);

/// <summary>
/// Per-point statistics of a population (Carlini et al. 2022; Feldman and Zhang 2020), from φ[m][i] and correct[m][i]
/// of every model m on every point i and the membership table of <see cref="ComplementaryHalves"/>.
/// </summary>
public static class PointStatistics
{
    /// <summary>The in and out fits of point <paramref name="i"/>: sample means and standard deviations (n − 1), NaN where a side has fewer than two models.</summary>
    public static InOut Fit(double[][] phi, bool[][] members, int i)
    {
        var (inside, outside) = Split(phi, members, i);
        return new InOut(inside.Count, Mean(inside), Sd(inside), outside.Count, Mean(outside), Sd(outside));
    }

    public static Memorization MemorizationOf(bool[][] correct, bool[][] members, int i)
    {
        int nIn = 0, nOut = 0, cIn = 0, cOut = 0;
        for (int m = 0; m < members.Length; m++)
        {
            if (members[m][i]) { nIn++; if (correct[m][i]) cIn++; }
            else { nOut++; if (correct[m][i]) cOut++; }
        }
        if (nIn == 0 || nOut == 0) throw new HarnessException($"point {i}: memorization needs models that saw it and models that did not ({nIn} in, {nOut} out).");
        double pIn = (double)cIn / nIn, pOut = (double)cOut / nOut;
        return new Memorization(pIn - pOut, Math.Sqrt(pIn * (1 - pIn) / nIn + pOut * (1 - pOut) / nOut));
    }

    /// <summary>
    /// The global standard deviations of the in and the out φ: the pooled within-point deviation over every point,
    /// sqrt(Σ (φ − mean_i)² / Σ (n_i − 1)). Online LiRA uses them instead of per-point ones when the population is small.
    /// </summary>
    public static (double In, double Out) GlobalSd(double[][] phi, bool[][] members)
    {
        double ssIn = 0, ssOut = 0;
        long dfIn = 0, dfOut = 0;
        int points = phi[0].Length;
        for (int i = 0; i < points; i++)
        {
            var (inside, outside) = Split(phi, members, i);
            (ssIn, dfIn) = Accumulate(inside, ssIn, dfIn);
            (ssOut, dfOut) = Accumulate(outside, ssOut, dfOut);
        }
        return (Math.Sqrt(ssIn / dfIn), Math.Sqrt(ssOut / dfOut));
    }

    static (double, long) Accumulate(List<double> values, double ss, long df)
    {
        if (values.Count < 2) return (ss, df);
        double mean = Mean(values);
        return (ss + values.Sum(v => (v - mean) * (v - mean)), df + values.Count - 1);
    }

    static (List<double> In, List<double> Out) Split(double[][] phi, bool[][] members, int i)
    {
        if (phi.Length != members.Length) throw new ArgumentException($"{phi.Length} φ rows for {members.Length} models.");
        var inside = new List<double>();
        var outside = new List<double>();
        for (int m = 0; m < members.Length; m++) (members[m][i] ? inside : outside).Add(phi[m][i]);
        return (inside, outside);
    }

    static double Mean(List<double> v) => v.Count == 0 ? double.NaN : v.Average();

    static double Sd(List<double> v)
    {
        if (v.Count < 2) return double.NaN;
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1));
    }
}
