namespace Harness.Populations;

/// <summary>
/// Which training points each model of a population trains on: M models in M/2 complementary pairs. For pair p a
/// permutation of the n points seeded by (seed, p) is cut in two; model 2p takes the first ⌈n/2⌉, model 2p + 1 the rest.
/// So every point is in exactly one model of each pair, i.e. in exactly M/2 of the M models.
/// </summary>
public static class ComplementaryHalves
{
    /// <summary>members[m][i]: whether model m trains on point i.</summary>
    public static bool[][] Membership(int models, int points, int seed)
    {
        if (models < 2 || models % 2 != 0) throw new HarnessException($"a population needs an even number of models (complementary pairs), got {models}.");
        if (points < 2) throw new HarnessException($"a population needs at least 2 training points, got {points}.");
        var members = new bool[models][];
        int first = (points + 1) / 2;
        for (int p = 0; p < models / 2; p++)
        {
            var order = Enumerable.Range(0, points).ToArray();
            new Random(unchecked(seed * 1_000_003 + p)).Shuffle(order);
            var a = new bool[points];
            for (int k = 0; k < first; k++) a[order[k]] = true;
            members[2 * p] = a;
            members[2 * p + 1] = a.Select(x => !x).ToArray();
        }
        return members;
    }
}
