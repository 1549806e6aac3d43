namespace Harness.Study;

/// <summary>
/// gt_ulira_eps: the competition's per-example ε of GradAscent (Table 5) on {i}, applied to K population models that trained
/// on x_i, against the population models that never saw it (<see cref="UliraProbe"/>, <see cref="Populations.PerExampleEpsilon"/>).
/// </summary>
public sealed class UliraEpsilonGroundTruth() : GroundTruth("gt_ulira_eps", UliraProbe.Instance)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_ulira_eps` the NeurIPS 2023 competition's per-example ε of GradAscent (Table 5) on {{i}} applied to K = min({probes.UliraModels}, M/2) of the M population models, those that trained on x_i, against those that did not (capped at {Populations.PerExampleEpsilon.Cap})");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => UliraProbe.Instance.Of(r).Epsilon).ToArray();
}
