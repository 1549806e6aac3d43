namespace Harness.Scoring.Scorers;

/// <summary>The scorers by name; "easiest k" and "hardest k" come from here and nowhere else.</summary>
public static class ScorerRegistry
{
    static readonly IScorer[] All = { new PcScorer(), new MksdScorer(), new MsksdScorer(), new SsnScorer(), new EmsksdScorer() };

    public static IReadOnlyList<IScorer> Scorers => All;
    public static IEnumerable<string> Names => All.Select(s => s.Name);

    /// <summary>The name as typed, checked: the same message from the command line and from experiments.yaml.</summary>
    public static string Parse(string raw) => Config.Choice.Known("scorer", raw, Names);

    public static IScorer Get(string name) => All.First(s => s.Name == Parse(name));

    /// <summary>Rank of each point, 1 = hardest; ties go to the lower index.</summary>
    public static int[] HardnessRanks(IScorer scorer, PointScores scores)
    {
        var v = scorer.Values(scores);
        var order = Enumerable.Range(0, v.Length).ToArray();
        int sign = scorer.HardEnd == HardEnd.High ? -1 : 1;
        Array.Sort(order, (a, b) => { int c = (sign * v[a]).CompareTo(sign * v[b]); return c != 0 ? c : a.CompareTo(b); });
        var rank = new int[v.Length];
        for (int r = 0; r < order.Length; r++) rank[order[r]] = r + 1;
        return rank;
    }

    /// <summary>The k hardest points (hardest first).</summary>
    public static int[] Hardest(IScorer scorer, PointScores scores, int k) => ByRank(HardnessRanks(scorer, scores)).Take(k).ToArray();

    /// <summary>The k easiest points (easiest first).</summary>
    public static int[] Easiest(IScorer scorer, PointScores scores, int k) => ByRank(HardnessRanks(scorer, scores)).Reverse().Take(k).ToArray();

    static int[] ByRank(int[] rank)
    {
        var byRank = new int[rank.Length];
        for (int i = 0; i < rank.Length; i++) byRank[rank[i] - 1] = i;
        return byRank;
    }
}
