namespace Harness.Study;

/// <summary>
/// Which per-point computation a ground truth reads: the plain-SGD probe, the expansion ladder, the oracle probe and the
/// U-LiRA unlearnings (all stored in points/INDEX.json; the last two read the matrix's population), or the population's
/// tables alone (computed once per study). The last three need a population.
/// </summary>
public enum GroundTruthProbe { Steps, Expansion, Oracle, Ulira, Population }

/// <summary>What a ground truth's values are computed from: the study's probe settings, every point's stored probes (in study order) and, when a ground truth needs it, the population's memorization estimates.</summary>
public sealed record GroundTruthInputs(ProbeSettings Probes, IReadOnlyList<StudyPointResult> Points, double[]? Memorization);

/// <summary>
/// A per-point measure of how hard a point is to unlearn (docs/method.md), against which the study ranks every score. A new
/// one is a file here and a line in <see cref="GroundTruthRegistry"/>; its name is what `ground_truths:` in experiments.yaml lists.
/// </summary>
public abstract class GroundTruth(string name, GroundTruthProbe probe)
{
    /// <summary>What `ground_truths:` in experiments.yaml and the study's tables call it.</summary>
    public string Name { get; } = name;
    public GroundTruthProbe Probe { get; } = probe;
    /// <summary>Whether its values need the matrix's population: the oracle and U-LiRA probes compare with its models, and the population's own ground truths are its tables.</summary>
    public bool ReadsPopulation => Probe is GroundTruthProbe.Oracle or GroundTruthProbe.Ulira or GroundTruthProbe.Population;
    /// <summary>One clause of REPORT.md's study section: `name` and what it measures, with the study's settings.</summary>
    public abstract string Describe(ProbeSettings probes);
    /// <summary>The value of every point, in the order of <see cref="GroundTruthInputs.Points"/>; larger = harder to unlearn.</summary>
    public abstract double[] Values(GroundTruthInputs inputs);
    /// <summary>How the summary describes the points that hit the probe's cap (their value is a tie there), or null where none can.</summary>
    public virtual string? CensoringNote(ProbeSettings probes, bool[]? censoredSteps, bool[]? censoredExpansion) => null;
    /// <summary>Formats a description with the invariant culture (REPORT.md reads the same on every machine).</summary>
    protected static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
