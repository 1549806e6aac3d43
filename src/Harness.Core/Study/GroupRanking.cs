using Harness.Scoring;
using Harness.Scoring.Scorers;

namespace Harness.Study;

/// <summary>How a scorer ranks a group of training points (the canaries): the AUROC of "is in the group" by the score oriented to its hard end (1: the group are the hardest points; 0.5: chance; 0: the easiest), and the group's median hardness percentile (100 = the hardest point).</summary>
public sealed record ScorerOnGroup(string Scorer, string HardEnd, int Group, double Auroc, double MedianHardnessPercentile);

/// <summary>
/// Where each scorer puts a group of points known to be hard to unlearn (canaries: memorized by construction): the paper's
/// claim that its scores find such points, as a test that can fail. Every training point of the table counts (canaries
/// are often misclassified by their true label, so no candidate rule applies). Ranks are the study's average ranks.
/// </summary>
public static class GroupRanking
{
    public static IReadOnlyList<ScorerOnGroup> Of(PointScores scores, bool[] group)
    {
        if (group.Length != scores.Count) throw new ArgumentException($"{group.Length} group flags for {scores.Count} scored points");
        int size = group.Count(g => g);
        if (size == 0 || size == group.Length) throw new ArgumentException("the group and the rest must both have points");
        var members = Enumerable.Range(0, group.Length).Where(i => group[i]).ToArray();
        var rows = new List<ScorerOnGroup>();
        foreach (var scorer in scores.Scorers)
        {
            // 1 = easiest, n = hardest; ties share their mean rank
            var ranks = Statistics.AverageRanks(scores.Values(scorer).Select(v => ScorerRegistry.Oriented(scorer, v)).ToArray());
            double auroc = (members.Sum(i => ranks[i]) - size * (size + 1) / 2.0) / ((double)size * (group.Length - size)); // Mann–Whitney U / (n₁ n₀)
            var percentiles = members.Select(i => 100 * (ranks[i] - 0.5) / ranks.Length).Order().ToArray();
            rows.Add(new ScorerOnGroup(scorer.Name, scorer.HardEnd == HardEnd.High ? "high" : "low", size, auroc, Statistics.Quantile(percentiles, 0.5)));
        }
        return rows;
    }
}
