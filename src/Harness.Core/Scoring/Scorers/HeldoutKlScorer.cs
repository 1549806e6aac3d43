namespace Harness.Scoring.Scorers;

/// <summary>
/// Held-out KL proxy (docs/method.md): mean symmetric KL between the original model's softmax on x_i and that of each half-data
/// model that never saw i. A large divergence means training on i changed what the model says about it (memorisation): high is hard.
/// </summary>
public sealed class HeldoutKlScorer : IScorer
{
    public string Name => "heldout_kl";
    public string Display => "held-out KL";
    public HardEnd HardEnd => HardEnd.High;
    public Quantities Reads => Quantities.Population;
    public string Summary => "symmetric KL to the half-data models that did not see the point";
    public double[]? Compute(PointQuantities q) => q.HeldoutKl;
}
