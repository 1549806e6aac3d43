namespace Harness.Study;

/// <summary>gt_memorization: Feldman–Zhang's estimator from the matrix's population (<see cref="Populations.PointStatistics.MemorizationOf"/>).</summary>
public sealed class MemorizationGroundTruth() : GroundTruth("gt_memorization", probe: null, readsPopulationTables: true)
{
    public override string Describe(ProbeSettings probes) =>
        $"`gt_memorization` Feldman–Zhang's estimator from the population of matrix {probes.Matrix} (mean correctness of the models that trained on x_i minus of those that did not)";
    public override double[] Values(GroundTruthInputs g) => g.Memorization ?? throw new InvalidOperationException("gt_memorization needs the population.");
}
