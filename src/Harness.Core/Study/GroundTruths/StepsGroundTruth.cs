namespace Harness.Study;

/// <summary>gt_steps: plain-SGD ascent steps on {i} alone until θ misclassifies x_i (<see cref="GroundTruths.Steps"/>); cap + 1 when censored.</summary>
public sealed class StepsGroundTruth() : GroundTruth("gt_steps", GroundTruthProbe.Steps)
{
    public override string Describe(Experiments.StudySpec study) => Invariant(
        $"`gt_steps` plain-SGD ascent steps until x_i is misclassified (lr {study.ProbeLearningRate}, cap {study.ProbeMaxSteps})");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => r.Steps!.Value(g.Study.ProbeMaxSteps)).ToArray();
    public override string? CensoringNote(StudySummary s) => s.CensoredSteps is not { } c ? null : Invariant(
        $"{c.Count(x => x)} of {c.Length} censored at {s.Study.ProbeMaxSteps}");
}
