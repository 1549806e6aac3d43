namespace Harness.Scoring.Scorers;

/// <summary>Parameter-gradient proxy (docs/method.md): ‖∇_θ log p(y|x)‖. A small gradient moves the model little per step: low is hard.</summary>
public sealed class GradNormScorer : IScorer
{
    public string Name => "grad_norm";
    public string Display => "grad norm";
    public HardEnd HardEnd => HardEnd.Low;
    public Quantities Reads => Quantities.ParameterGradients;
    public string Summary => "‖∇_θ log p(y|x)‖ over all parameters (one backward per point)";
    public double[]? Compute(PointQuantities q) => q.ParamGradNorm;
}
