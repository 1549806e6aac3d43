namespace Harness.Study;

/// <summary>What a ground truth's values are computed from: the study's probe settings, every point's stored probes (in study order) and, when a ground truth needs it, the population's memorization estimates.</summary>
public sealed record GroundTruthInputs(ProbeSettings Probes, IReadOnlyList<StudyPointResult> Points, double[]? Memorization);

/// <summary>
/// A per-point measure of how hard a point is to unlearn (docs/method.md), against which the study ranks every score. A new
/// one is a file here and a line in <see cref="GroundTruthRegistry"/>; its name is what `ground_truths:` in experiments.yaml
/// lists. It reads the stored result of one <see cref="Probe"/> (a new probe is a file of its own), or, with no probe, the
/// population's tables (computed once per study).
/// </summary>
public abstract class GroundTruth(string name, Probe? probe, bool readsPopulationTables = false)
{
    /// <summary>What `ground_truths:` in experiments.yaml and the study's tables call it.</summary>
    public string Name { get; } = name;
    /// <summary>The per-point computation whose stored result it reads; null for a ground truth of the population's tables.</summary>
    public Probe? Probe { get; } = probe;
    /// <summary>Whether its values need the matrix's population (its probe compares with it, or it is one of its tables).</summary>
    public bool ReadsPopulation => readsPopulationTables || (Probe?.ReadsPopulation ?? false);
    /// <summary>One clause of REPORT.md's study section: `name` and what it measures, with the study's settings (its definition, so it is versioned with it).</summary>
    public abstract string Describe(ProbeSettings probes);
    /// <summary>The value of every point, in the order of <see cref="GroundTruthInputs.Points"/>; larger = harder to unlearn.</summary>
    public abstract double[] Values(GroundTruthInputs inputs);
    /// <summary>The points.csv column saying which points hit the probe's cap (their value is a tie there), or null where it reports none.</summary>
    public virtual string? CensoredColumn => null;
    /// <summary>Which points hit the probe's cap, in the order of <see cref="GroundTruthInputs.Points"/> (with <see cref="CensoredColumn"/>).</summary>
    public virtual bool[]? Censored(GroundTruthInputs inputs) => null;
    /// <summary>How the summary describes the censored points (<paramref name="censored"/>, from <see cref="Censored"/>).</summary>
    public virtual string? CensoringNote(ProbeSettings probes, bool[] censored) => null;
    /// <summary>Formats a description with the invariant culture (REPORT.md reads the same on every machine).</summary>
    protected static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
