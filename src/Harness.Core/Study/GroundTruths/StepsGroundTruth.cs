using System.Globalization;
using Harness.Experiments;

namespace Harness.Study;

/// <summary>gt_steps: plain-SGD ascent steps on {i} alone until θ misclassifies x_i (<see cref="GroundTruths.Steps"/>); cap + 1 when censored.</summary>
public sealed class StepsGroundTruth : IGroundTruth
{
    public string Name => "gt_steps";
    public GroundTruthProbe Probe => GroundTruthProbe.Steps;
    public string Describe(StudySpec study) => string.Create(CultureInfo.InvariantCulture,
        $"`gt_steps` plain-SGD ascent steps until x_i is misclassified (lr {study.ProbeLearningRate}, cap {study.ProbeMaxSteps})");
    public double[] Values(GroundTruthInputs g) => g.Points.Select(r => r.Steps!.Value(g.Study.ProbeMaxSteps)).ToArray();
    public string? CensoringNote(StudySummary s) => s.CensoredSteps is not { } c ? null : string.Create(CultureInfo.InvariantCulture,
        $"{c.Count(x => x)} of {c.Length} censored at {s.Study.ProbeMaxSteps}");
}
