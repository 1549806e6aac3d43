namespace Harness.Study;

/// <summary>gt_expansion (the paper's Sec. 5.3): the smallest k of the ladder for which GradAscent on {i} ∪ top-k misclassifies x_i (<see cref="GroundTruths.Expansion"/>); the largest k + 1 when censored.</summary>
public sealed class ExpansionGroundTruth() : GroundTruth("gt_expansion", GroundTruthProbe.Expansion)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_expansion` the smallest k of {{{string.Join(", ", probes.Ladder)}}} for which GradAscent at Table 5 settings on {{i}} ∪ its top-k neighbours misclassifies x_i");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => r.Expansion!.Value(g.Probes.Ladder)).ToArray();
    public override string? CensoringNote(ProbeSettings p, bool[]? censoredSteps, bool[]? censoredExpansion) => censoredExpansion is not { } c ? null : Invariant(
        $"{c.Count(x => x)} of {c.Length} censored beyond k = {p.Ladder.Max()} (ladder {string.Join(", ", p.Ladder)})");
}
