namespace Harness.Populations;

/// <summary>
/// Online LiRA (Carlini et al. 2022, Sec. IV): the log-likelihood ratio of a model's φ on a point under the point's
/// fitted in and out Gaussians, Λ = log N(φ; μ_in, σ_in²) − log N(φ; μ_out, σ_out²); large Λ says "member". With few
/// models per side the per-point deviations are noisy, and the paper fixes them to one global deviation per side
/// (its "fixed variance", better below 64 shadow models): <see cref="PerPointVarianceFrom"/> is that rule.
/// </summary>
public static class Lira
{
    /// <summary>Each side's own deviation is used when it has at least this many models; else the global one.</summary>
    public const int PerPointVarianceFrom = 64;

    /// <summary>The deviations a point's test uses under the variance rule.</summary>
    public static (double In, double Out) Deviations(InOut fit, (double In, double Out) global) =>
        (fit.InCount >= PerPointVarianceFrom ? fit.InSd : global.In, fit.OutCount >= PerPointVarianceFrom ? fit.OutSd : global.Out);

    public static double Score(double phi, InOut fit, (double In, double Out) global)
    {
        var (sdIn, sdOut) = Deviations(fit, global);
        return Normal.LogPdf(phi, fit.InMean, sdIn) - Normal.LogPdf(phi, fit.OutMean, sdOut);
    }

    /// <summary>How unusual φ is for a model that never saw the point: P(φ' ≥ φ) under the out Gaussian (one-sided; high φ is member-like).</summary>
    public static double OutPValue(double phi, InOut fit, (double In, double Out) global) =>
        Normal.UpperTail(phi, fit.OutMean, Deviations(fit, global).Out);
}
