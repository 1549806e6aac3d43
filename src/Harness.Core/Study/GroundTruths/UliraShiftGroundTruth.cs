namespace Harness.Study;

/// <summary>
/// gt_ulira_shift: the direction and size of what gt_ulira_eps measures. The mean φ of the K unlearned models (GradAscent
/// on {i}, <see cref="UliraProbe"/>) minus the mean φ of the models that never saw x_i, in units of the latter's standard
/// deviation. Above 0: the unlearned models still sit above the never-saw-it distribution (remembering; larger = harder).
/// Below 0: they were pushed under it (overshoot). ε alone cannot tell the two apart.
/// </summary>
public sealed class UliraShiftGroundTruth() : GroundTruth("gt_ulira_shift", UliraProbe.Instance)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_ulira_shift` the mean φ of the same K unlearned models minus that of the models that never saw x_i, in their standard deviations (> 0 still remembered, < 0 overshoot)");

    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => Shift(UliraProbe.Instance.Of(r))).ToArray();

    /// <summary>(mean φ after − mean φ out) / sd(φ out), the deviation floored at 1e-6.</summary>
    public static double Shift(UliraResult u)
    {
        double outMean = u.PhiOut.Average();
        double sd = u.PhiOut.Length > 1 ? Math.Sqrt(u.PhiOut.Sum(x => (x - outMean) * (x - outMean)) / (u.PhiOut.Length - 1)) : 0;
        return (u.PhiAfter.Average() - outMean) / Math.Max(sd, 1e-6);
    }
}
