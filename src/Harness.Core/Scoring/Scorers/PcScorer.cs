namespace Harness.Scoring.Scorers;

/// <summary>PC (baseline): p_θ(y_i | x_i), the predicted probability of the true label. Confident points are hard.</summary>
public sealed class PcScorer : IScorer
{
    public string Name => "pc";
    public string Display => "PC";
    public HardEnd HardEnd => HardEnd.High;
    public Quantities Reads => Quantities.ModelOutputs;
    public string Summary => "p(y|x) of the original model";
    public double[]? Compute(PointQuantities q) => q.Pc;
}
