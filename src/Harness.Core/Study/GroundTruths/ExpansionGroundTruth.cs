using System.Globalization;
using Harness.Experiments;

namespace Harness.Study;

/// <summary>gt_expansion (the paper's Sec. 5.3): the smallest k of the ladder for which GradAscent on {i} ∪ top-k misclassifies x_i (<see cref="GroundTruths.Expansion"/>); the largest k + 1 when censored.</summary>
public sealed class ExpansionGroundTruth : IGroundTruth
{
    public string Name => "gt_expansion";
    public GroundTruthProbe Probe => GroundTruthProbe.Expansion;
    public string Describe(StudySpec study) => string.Create(CultureInfo.InvariantCulture,
        $"`gt_expansion` the smallest k of {{{string.Join(", ", study.Ladder)}}} for which GradAscent at Table 5 settings on {{i}} ∪ its top-k neighbours misclassifies x_i");
    public double[] Values(GroundTruthInputs g) => g.Points.Select(r => r.Expansion!.Value(g.Study.Ladder)).ToArray();
    public string? CensoringNote(StudySummary s) => s.CensoredExpansion is not { } c ? null : string.Create(CultureInfo.InvariantCulture,
        $"{c.Count(x => x)} of {c.Length} censored beyond k = {s.Study.Ladder.Max()} (ladder {string.Join(", ", s.Study.Ladder)})");
}
