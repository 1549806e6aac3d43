namespace Harness.Scoring.Scorers;

/// <summary>
/// Learning-events proxy of Zhao et al. (NeurIPS 2024; docs/method.md): mean p(y|x) over the training epochs, recorded by the
/// trainer. A point learned late or never confidently is a memorised one, which they find harder to unlearn: low is hard.
/// </summary>
public sealed class LearningEventsScorer : IScorer
{
    public string Name => "learning_events";
    public string Display => "learning events";
    public HardEnd HardEnd => HardEnd.Low;
    public Quantities Reads => Quantities.LearningEvents;
    public string Summary => "mean p(y|x) over the training epochs (recorded with the checkpoint)";
    public double[]? Compute(PointQuantities q) => q.LearningEvents;
}
