namespace Harness.Study;

/// <summary>
/// gt_oracle_steps: plain-SGD ascent steps on {i} alone until φ under the probed model falls inside the point's out
/// distribution (below its out mean + 2 sd, the deviation LiRA uses), i.e. the work needed to reach what retraining gives
/// rather than to misclassify (<see cref="OracleProbe"/>); cap + 1 when censored.
/// </summary>
public sealed class OracleStepsGroundTruth() : GroundTruth("gt_oracle_steps", OracleProbe.Instance)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_oracle_steps` plain-SGD ascent steps until φ(x_i) is below the population's out mean + 2 sd (lr {probes.LearningRate}, cap {probes.MaxSteps})");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => OracleProbe.Instance.Of(r).Value(g.Probes.MaxSteps)).ToArray();
}
