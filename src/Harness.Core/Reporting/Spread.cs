namespace Harness.Reporting;

/// <summary>Mean, standard deviation (n − 1), min and max of the cells behind one table entry.</summary>
public readonly record struct Spread(int N, double Mean, double Sd, double Min, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).ToArray();
        if (v.Length == 0) return new Spread(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return new Spread(v.Length, mean, sd, v.Min(), v.Max());
    }

    /// <summary>"0.60 ± 0.55" (two decimals, as the paper prints); "–" when there are no cells. Rounding happens here only.</summary>
    public string Format() => N == 0 ? "–" : N == 1
        ? Mean.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Mean:F2} ± {Sd:F2}");
}
