
namespace Harness.Study;

/// <summary>The ground truths a study can rank scores against, by name (as <see cref="Scoring.Scorers.ScorerRegistry"/> holds the scorers).</summary>
public static class GroundTruthRegistry
{
    static readonly GroundTruth[] Registered =
    {
        new StepsGroundTruth(),
        new CollateralGroundTruth(),
        new ExpansionGroundTruth(),
        new MemorizationGroundTruth(),
        new OracleStepsGroundTruth(),
        new UliraEpsilonGroundTruth(),
        new KlomGroundTruth(),
        new UliraShiftGroundTruth(),
    };

    public static IReadOnlyList<GroundTruth> All => Registered;
    public static IEnumerable<string> Names => Registered.Select(g => g.Name);

    public static GroundTruth Get(string name) => Registered.FirstOrDefault(g => g.Name == name)
        ?? throw new HarnessException($"unknown ground truth '{name}'; known: {string.Join(", ", Names)}.");

    /// <summary>A name from experiments.yaml, or an error listing the known ones.</summary>
    public static string Parse(string raw) => Choice.Known("ground truth", raw, Names.ToArray());

    /// <summary>The probes the named ground truths read, each once, in the order the names first read them.</summary>
    public static IReadOnlyList<Probe> Probes(IEnumerable<string> names) =>
        names.Select(n => Get(n).Probe).OfType<Probe>().DistinctBy(p => p.Name).ToList();

    /// <summary>Whether a study with these ground truths and scorers needs its matrix's population (a scorer may read it too).</summary>
    public static bool NeedsPopulation(IEnumerable<string> names, IEnumerable<string> scorers) =>
        names.Any(n => Get(n).ReadsPopulation) || Scoring.Scorers.ScorerRegistry.AnyReads(scorers, Scoring.Scorers.Quantities.Population);
}
