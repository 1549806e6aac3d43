namespace Harness.Scoring.Scorers;

/// <summary>MSKSD (Eq. 7): Σ_{j≠i} exp(κ̂(i,j)) with κ̂ standardised per row, stored as its logarithm. High is hard.</summary>
public sealed class MsksdScorer : IScorer
{
    public const string Id = "msksd";
    public string Name => Id;
    public string Display => "MSKSD";
    public string ValueLabel => "log MSKSD";
    public HardEnd HardEnd => HardEnd.High;
    public Quantities Reads => Quantities.KernelRows;
    public string Summary => "log Σ_{j≠i} exp(κ̂(i,j)), κ̂ standardised per row (Eq. 7)";
    public double[]? Compute(PointQuantities q) => q.LogMsksd;
}
