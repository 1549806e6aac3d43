namespace Harness.Scoring.Scorers;

/// <summary>EMSKSD (Eq. 9): MSKSD_i / H(ŷ_i), stored as log MSKSD − log max(H, 1e-12). High is hard.</summary>
public sealed class EmsksdScorer : IScorer
{
    public string Name => "emsksd";
    public string Column => "log_emsksd";
    public HardEnd HardEnd => HardEnd.High;
    public double[] Values(PointScores s) => s.LogEmsksd;
}
