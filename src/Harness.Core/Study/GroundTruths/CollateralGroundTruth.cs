namespace Harness.Study;

/// <summary>gt_collateral: θ₀'s test-accuracy drop when the gt_steps probe stops, on <see cref="CollateralTestSet"/>.</summary>
public sealed class CollateralGroundTruth() : GroundTruth("gt_collateral", StepsProbe.Instance)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_collateral` the test-accuracy drop at that moment ({(probes.CollateralTestSample == 0 ? "whole test set" : $"{probes.CollateralTestSample} seeded test points")})");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => StepsProbe.Instance.Of(r).Collateral).ToArray();
}
