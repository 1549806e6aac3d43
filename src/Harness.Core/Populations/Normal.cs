namespace Harness.Populations;

/// <summary>The normal distribution's log density and upper tail, for LiRA's Gaussian fits.</summary>
public static class Normal
{
    const double LogSqrt2Pi = 0.91893853320467274178;

    public static double LogPdf(double x, double mean, double sd)
    {
        double z = (x - mean) / sd;
        return -0.5 * z * z - Math.Log(sd) - LogSqrt2Pi;
    }

    /// <summary>P(X ≥ x) for X ~ N(mean, sd²): erfc(z / √2) / 2.</summary>
    public static double UpperTail(double x, double mean, double sd) => 0.5 * Erfc((x - mean) / (sd * Math.Sqrt(2)));

    /// <summary>The z with P(Z ≥ z) = p for a standard normal Z (bisection on the upper tail; 0 &lt; p &lt; 1).</summary>
    public static double UpperQuantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p));
        double lo = -40, hi = 40;
        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (UpperTail(mid, 0, 1) > p) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>
    /// The complementary error function by the Chebyshev-fitted rational approximation of Numerical Recipes (erfcc):
    /// relative error below 1.2e-7 everywhere, enough for reported p-values.
    /// </summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double ans = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2 - ans;
    }
}
