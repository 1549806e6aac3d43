namespace Harness.Scoring.Scorers;

/// <summary>Loss proxy (docs/method.md): −log p(y|x) of the original model. A low loss is a confident point: low is hard, as PC high is.</summary>
public sealed class LossScorer : IScorer
{
    public string Name => "loss";
    public string Display => "loss";
    public HardEnd HardEnd => HardEnd.Low;
    public Quantities Reads => Quantities.ModelOutputs;
    public string Summary => "−log p(y|x) of the original model";
    public double[]? Compute(PointQuantities q) => q.Loss;
}
