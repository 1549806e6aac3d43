using Harness.Data;
using Harness.Populations;

namespace Harness.Study;

/// <summary>
/// Which points a study draws per seed: <see cref="Experiments.StudySample.Uniform"/>, n seeded points of the candidates;
/// or <see cref="Experiments.StudySample.Strata"/>, n points split across the memorization strata of the matrix's
/// population, where the signal is: the canaries, high (memorization ≥ 0.5), medium (between 0 and 0.5), low (0 or
/// less). Each stratum present gets an equal share (the first ones one more when n does not divide), drawn by a seeded
/// permutation of its candidates; a stratum with fewer candidates gives all it has, and the others share the rest.
/// </summary>
public static class StudySampling
{
    public const double High = 0.5;
    public static readonly string[] StrataNames = ["canaries", "high", "medium", "low"];

    /// <summary>The stratum of each candidate (canaries first, then by memorization).</summary>
    public static Dictionary<int, string> Strata(IReadOnlyList<int> candidates, Population population, CanarySet? canaries)
    {
        var canary = canaries?.Mask(population.Points) ?? new bool[population.Points];
        return candidates.ToDictionary(i => i, i =>
        {
            if (canary[i]) return "canaries";
            double m = population.MemorizationOf(i).Value;
            return m >= High ? "high" : m > 0 ? "medium" : "low";
        });
    }

    /// <summary>The points of one seed, increasing: uniform over the candidates, or split across <paramref name="strata"/> when given.</summary>
    public static int[] Draw(int[] candidates, int n, int seed, IReadOnlyDictionary<int, string>? strata)
    {
        if (strata == null)
        {
            var order = (int[])candidates.Clone();
            new Random(seed).Shuffle(order);
            return order.Take(n).Order().ToArray();
        }
        var groups = StrataNames.Select(s => candidates.Where(i => strata[i] == s).ToArray()).Where(g => g.Length > 0).ToList();
        // Shares: equal, the first strata taking the remainder; a stratum smaller than its share gives all it has and its
        // shortfall is shared among the others again.
        var take = new int[groups.Count];
        var open = Enumerable.Range(0, groups.Count).ToList();
        int left = Math.Min(n, groups.Sum(g => g.Length));
        while (open.Count > 0)
        {
            var small = open.Where((g, k) => groups[g].Length < left / open.Count + (k < left % open.Count ? 1 : 0)).ToList();
            if (small.Count == 0)
            {
                for (int k = 0; k < open.Count; k++) take[open[k]] = left / open.Count + (k < left % open.Count ? 1 : 0);
                break;
            }
            foreach (int g in small) { take[g] = groups[g].Length; left -= groups[g].Length; open.Remove(g); }
        }
        var drawn = new List<int>();
        var rng = new Random(seed);
        for (int g = 0; g < groups.Count; g++)
        {
            var order = groups[g];
            rng.Shuffle(order);
            drawn.AddRange(order.Take(take[g]));
        }
        return drawn.Order().ToArray();
    }
}
