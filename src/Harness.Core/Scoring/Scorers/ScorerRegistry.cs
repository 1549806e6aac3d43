namespace Harness.Scoring.Scorers;

/// <summary>The scorers by name; scores.csv, points.csv, tables, figures and the study take them from here, and "easiest k" and "hardest k" come from here and nowhere else.</summary>
public static class ScorerRegistry
{
    static readonly IScorer[] All =
    {
        new PcScorer(), new MksdScorer(), new MsksdScorer(), new SsnScorer(), new EmsksdScorer(),
        new LossScorer(), new MarginScorer(), new EntropyScorer(), new GradNormScorer(), new LearningEventsScorer(), new HeldoutKlScorer(),
    };

    public static IReadOnlyList<IScorer> Scorers => All;
    public static IEnumerable<string> Names => All.Select(s => s.Name);

    /// <summary>The name as typed, checked: the same message from the command line and from experiments.yaml.</summary>
    public static string Parse(string raw) => Config.Choice.Known("scorer", raw, Names);

    public static IScorer Get(string name) => All.First(s => s.Name == Parse(name));

    /// <summary>Whether any of the named scorers reads <paramref name="what"/>.</summary>
    public static bool AnyReads(IEnumerable<string> names, Quantities what) => names.Any(n => (Get(n).Reads & what) != 0);

    /// <summary>The value oriented so that higher = harder (the hard end of a `low` scorer negated).</summary>
    public static double Oriented(IScorer scorer, double value) => scorer.HardEnd == HardEnd.High ? value : -value;

    /// <summary>Rank of each candidate point, 1 = hardest; ties go to the lower index; 0 for a point that is not a candidate.</summary>
    public static int[] HardnessRanks(IScorer scorer, PointScores scores, Candidates candidates = Candidates.All)
    {
        var rank = new int[scores.Count];
        var order = HardestFirst(scorer, scores, candidates);
        for (int r = 0; r < order.Length; r++) rank[order[r]] = r + 1;
        return rank;
    }

    /// <summary>The candidate points, hardest first (ties to the lower index).</summary>
    public static int[] HardestFirst(IScorer scorer, PointScores scores, Candidates candidates = Candidates.All)
    {
        var v = scores.Values(scorer);
        var order = Enumerable.Range(0, v.Length).Where(i => scores.IsCandidate(i, candidates)).ToArray();
        int sign = scorer.HardEnd == HardEnd.High ? -1 : 1;
        Array.Sort(order, (a, b) => { int c = (sign * v[a]).CompareTo(sign * v[b]); return c != 0 ? c : a.CompareTo(b); });
        return order;
    }

    /// <summary>The k hardest candidates (hardest first).</summary>
    public static int[] Hardest(IScorer scorer, PointScores scores, int k, Candidates candidates = Candidates.All) =>
        HardestFirst(scorer, scores, candidates).Take(k).ToArray();

    /// <summary>The k easiest candidates (easiest first).</summary>
    public static int[] Easiest(IScorer scorer, PointScores scores, int k, Candidates candidates = Candidates.All) =>
        HardestFirst(scorer, scores, candidates).Reverse().Take(k).ToArray();
}
