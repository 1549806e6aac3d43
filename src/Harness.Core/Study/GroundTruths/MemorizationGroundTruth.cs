using Harness.Experiments;

namespace Harness.Study;

/// <summary>gt_memorization: Feldman–Zhang's estimator from the matrix's population (<see cref="Populations.PointStatistics.MemorizationOf"/>).</summary>
public sealed class MemorizationGroundTruth : IGroundTruth
{
    public string Name => "gt_memorization";
    public GroundTruthProbe Probe => GroundTruthProbe.Population;
    public string Describe(StudySpec study) =>
        $"`gt_memorization` Feldman–Zhang's estimator from the population of matrix {study.Matrix} (mean correctness of the models that trained on x_i minus of those that did not)";
    public double[] Values(GroundTruthInputs g) => g.Memorization ?? throw new InvalidOperationException("gt_memorization needs the population.");
}
