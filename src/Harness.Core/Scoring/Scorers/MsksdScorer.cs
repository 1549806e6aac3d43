namespace Harness.Scoring.Scorers;

/// <summary>MSKSD (Eq. 7): Σ_{j≠i} exp(κ̂(i,j)) with κ̂ standardised per row, stored as its logarithm. High is hard.</summary>
public sealed class MsksdScorer : IScorer
{
    public string Name => "msksd";
    public string Column => "log_msksd";
    public HardEnd HardEnd => HardEnd.High;
    public double[] Values(PointScores s) => s.LogMsksd;
}
