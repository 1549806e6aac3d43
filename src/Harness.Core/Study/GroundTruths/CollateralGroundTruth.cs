using System.Globalization;
using Harness.Experiments;

namespace Harness.Study;

/// <summary>gt_collateral: θ₀'s test-accuracy drop when the gt_steps probe stops, on <see cref="CollateralTestSet"/>.</summary>
public sealed class CollateralGroundTruth : IGroundTruth
{
    public string Name => "gt_collateral";
    public GroundTruthProbe Probe => GroundTruthProbe.Steps;
    public string Describe(StudySpec study) => string.Create(CultureInfo.InvariantCulture,
        $"`gt_collateral` the test-accuracy drop at that moment ({(study.CollateralTestSample == 0 ? "whole test set" : $"{study.CollateralTestSample} seeded test points")})");
    public double[] Values(GroundTruthInputs g) => g.Points.Select(r => r.Steps!.Collateral).ToArray();
}
