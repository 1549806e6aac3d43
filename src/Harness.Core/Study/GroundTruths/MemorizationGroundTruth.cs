using System.Globalization;
using Harness.Experiments;

namespace Harness.Study;

/// <summary>gt_memorization: Feldman–Zhang's estimator from the half-data models (<see cref="GroundTruths.Memorization"/>).</summary>
public sealed class MemorizationGroundTruth : IGroundTruth
{
    public string Name => "gt_memorization";
    public GroundTruthProbe Probe => GroundTruthProbe.HalfModels;
    public string Describe(StudySpec study) => string.Create(CultureInfo.InvariantCulture,
        $"`gt_memorization` Feldman–Zhang's estimator from {study.HalfModels} half-data models ({study.HalfEpochs} epochs each)");
    public double[] Values(GroundTruthInputs g) => g.Memorization ?? throw new InvalidOperationException("gt_memorization needs the half-data models.");
}
