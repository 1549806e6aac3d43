namespace Harness.Scoring.Scorers;

/// <summary>MKSD (Eq. 6): Σ_{j≠i} κ(i,j), the Stein discrepancy between a point and all others. High is hard.</summary>
public sealed class MksdScorer : IScorer
{
    public string Name => "mksd";
    public string Column => "mksd";
    public HardEnd HardEnd => HardEnd.High;
    public double[] Values(PointScores s) => s.Mksd;
}
