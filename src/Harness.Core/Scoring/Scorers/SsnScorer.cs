namespace Harness.Scoring.Scorers;

/// <summary>SSN (Eq. 8): ‖s_i‖₂, the Stein score norm. A high norm means near the decision boundary, so easy: low is hard.</summary>
public sealed class SsnScorer : IScorer
{
    public string Name => "ssn";
    public string Display => "SSN";
    public HardEnd HardEnd => HardEnd.Low;
    public Quantities Reads => Quantities.ModelOutputs;
    public string Summary => "‖∇ₓ log p(y|x)‖, the Stein score norm (Eq. 8)";
    public double[]? Compute(PointQuantities q) => q.Ssn;
}
