namespace Harness.Scoring.Scorers;

/// <summary>Entropy proxy (docs/method.md): H of the softmax. A certain prediction (low entropy) is hard to move: low is hard.</summary>
public sealed class EntropyScorer : IScorer
{
    public string Name => "entropy";
    public string Display => "entropy";
    public HardEnd HardEnd => HardEnd.Low;
    public Quantities Reads => Quantities.ModelOutputs;
    public string Summary => "entropy of the original model's softmax";
    public double[]? Compute(PointQuantities q) => q.Entropy;
}
