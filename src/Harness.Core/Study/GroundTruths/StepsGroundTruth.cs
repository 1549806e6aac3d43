namespace Harness.Study;

/// <summary>gt_steps: plain-SGD ascent steps on {i} alone until θ misclassifies x_i (<see cref="StepsProbe"/>); cap + 1 when censored.</summary>
public sealed class StepsGroundTruth() : GroundTruth("gt_steps", StepsProbe.Instance)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_steps` plain-SGD ascent steps until x_i is misclassified (lr {probes.LearningRate}, cap {probes.MaxSteps})");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => StepsProbe.Instance.Of(r).Value(g.Probes.MaxSteps)).ToArray();
    public override string? CensoredColumn => "censored_steps";
    public override bool[]? Censored(GroundTruthInputs g) => g.Points.Select(r => StepsProbe.Instance.Of(r).Censored).ToArray();
    public override string? CensoringNote(ProbeSettings p, bool[] c) => Invariant($"{c.Count(x => x)} of {c.Length} censored at {p.MaxSteps}");
}
