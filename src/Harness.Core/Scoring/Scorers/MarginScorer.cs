namespace Harness.Scoring.Scorers;

/// <summary>Logit-margin proxy (docs/method.md): f(x)_y − max_{c≠y} f(x)_c. A wide margin takes more steps to cross: high is hard.</summary>
public sealed class MarginScorer : IScorer
{
    public string Name => "margin";
    public string Display => "margin";
    public HardEnd HardEnd => HardEnd.High;
    public Quantities Reads => Quantities.ModelOutputs;
    public string Summary => "logit margin f(x)_y − max_{c≠y} f(x)_c";
    public double[]? Compute(PointQuantities q) => q.Margin;
}
