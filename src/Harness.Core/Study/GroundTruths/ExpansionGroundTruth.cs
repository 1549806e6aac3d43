namespace Harness.Study;

/// <summary>gt_expansion (the paper's Sec. 5.3): the smallest k of the ladder for which GradAscent on {i} ∪ top-k misclassifies x_i (<see cref="ExpansionProbe"/>); the largest k + 1 when censored.</summary>
public sealed class ExpansionGroundTruth() : GroundTruth("gt_expansion", ExpansionProbe.Instance)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_expansion` the smallest k of {{{string.Join(", ", probes.Ladder)}}} for which GradAscent at Table 5 settings on {{i}} ∪ its top-k neighbours misclassifies x_i");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => ExpansionProbe.Instance.Of(r).Value(g.Probes.Ladder)).ToArray();
    public override string? CensoredColumn => "censored_expansion";
    public override bool[]? Censored(GroundTruthInputs g) => g.Points.Select(r => ExpansionProbe.Instance.Of(r).Censored).ToArray();
    public override string? CensoringNote(ProbeSettings p, bool[] c) => Invariant(
        $"{c.Count(x => x)} of {c.Length} censored beyond k = {p.Ladder.Max()} (ladder {string.Join(", ", p.Ladder)})");
}
