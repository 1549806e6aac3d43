namespace Harness.Scoring.Scorers;

/// <summary>MKSD (Eq. 6): Σ_{j≠i} κ(i,j), the Stein discrepancy between a point and all others. High is hard.</summary>
public sealed class MksdScorer : IScorer
{
    public const string Id = "mksd";
    public string Name => Id;
    public string Display => "MKSD";
    public HardEnd HardEnd => HardEnd.High;
    public Quantities Reads => Quantities.KernelRows;
    public string Summary => "Σ_{j≠i} κ(i,j) over the training points (Eq. 6)";
    public double[]? Compute(PointQuantities q) => q.Mksd;
}
