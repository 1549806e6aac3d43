namespace Harness.Scoring.Scorers;

/// <summary>EMSKSD (Eq. 9): MSKSD_i / H(ŷ_i), stored as log MSKSD − log max(H, 1e-12). High is hard.</summary>
public sealed class EmsksdScorer : IScorer
{
    public string Name => "emsksd";
    public string Display => "EMSKSD";
    public string ValueLabel => "log EMSKSD";
    public HardEnd HardEnd => HardEnd.High;
    public Quantities Reads => Quantities.KernelRows | Quantities.ModelOutputs;
    public string Summary => "log MSKSD − log max(H, 1e-12), H the predictive entropy (Eq. 9)";

    public double[]? Compute(PointQuantities q)
    {
        if (q.LogMsksd == null) return null;
        var v = new double[q.Count];
        for (int i = 0; i < v.Length; i++) v[i] = q.LogMsksd[i] - Math.Log(Math.Max(q.Entropy[i], 1e-12));
        return v;
    }
}
