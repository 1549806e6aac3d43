namespace Harness.Scoring.Scorers;

/// <summary>Which end of a score marks the points hardest to unlearn (docs/method.md: the scorers table).</summary>
public enum HardEnd { High, Low }

/// <summary>
/// A difficulty score: its name (the YAML name and its column in scores.csv and points.csv), how tables and figures show
/// it, its hard end, the kinds of quantity it reads, and how it computes its per-point value from the shared quantities.
/// Adding a scorer is one class and one line in <see cref="ScorerRegistry"/>, also when it needs a quantity no run
/// computes: it reads <see cref="Quantities.Own"/> and measures that quantity itself in <see cref="Measure"/>.
/// </summary>
public interface IScorer
{
    string Name { get; }
    /// <summary>The name in tables and figures (PC, MKSD, ...).</summary>
    string Display { get; }
    /// <summary>What the stored value is, in figure labels ("log MSKSD" where the value is a logarithm).</summary>
    string ValueLabel => Display;
    HardEnd HardEnd { get; }
    /// <summary>One line: what the value is.</summary>
    string Summary { get; }
    /// <summary>What it reads: the producers compute these for it, and a kernel or population it reads must be the run's.</summary>
    Quantities Reads { get; }
    /// <summary>The value of every point, or null when <paramref name="q"/> lacks a quantity this scorer needs.</summary>
    double[]? Compute(PointQuantities q);
    /// <summary>
    /// A quantity of its own on the given points, measured on the model (for a scorer that reads <see cref="Quantities.Own"/>);
    /// <see cref="PointQuantities.Measure"/> calls it wherever quantities are measured and stores the result under the
    /// scorer's name (<see cref="PointQuantities.Own"/>), where <see cref="Compute"/> reads it.
    /// </summary>
    double[]? Measure(ModelOnPoints m) => null;
}
