namespace Harness.Study;

/// <summary>gt_klom: KLOM of the same unlearnings as gt_ulira_eps against the models that never saw x_i (<see cref="Populations.Klom"/>).</summary>
public sealed class KlomGroundTruth() : GroundTruth("gt_klom", UliraProbe.Instance)
{
    public override string Describe(ProbeSettings probes) => Invariant(
        $"`gt_klom` KLOM (KL between {Populations.Klom.Bins}-bin histograms of φ, clipped to ±{Populations.Klom.ClipMax}) of the same unlearned models against those that never saw x_i");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => UliraProbe.Instance.Of(r).Klom).ToArray();
}
