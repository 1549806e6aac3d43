namespace Harness.Forget;

/// <summary>
/// The act of `harness forget`: unlearn with the request expanded by its top-k Stein neighbours, k growing along a ladder
/// (auto: 0, 10, 30, 100, 300, 700) until a rung succeeds; every rung is recorded. Only the kept rung's model survives:
/// the first that succeeds, or the last when none does.
/// </summary>
public static class ExpansionLadder
{
    public static readonly int[] Auto = { 0, 10, 30, 100, 300, 700 };

    /// <summary>
    /// Runs <paramref name="step"/> for each k in order until <paramref name="succeeded"/>; <paramref name="discard"/> releases
    /// each rung that is not kept. Returns every rung run and the index of the kept one.
    /// </summary>
    public static (List<T> Rungs, int Kept) Run<T>(IReadOnlyList<int> ladder, Func<int, T> step, Func<T, bool> succeeded, Action<T> discard)
    {
        if (ladder.Count == 0) throw new ArgumentException("empty ladder");
        var rungs = new List<T>();
        for (int r = 0; r < ladder.Count; r++)
        {
            var rung = step(ladder[r]);
            rungs.Add(rung);
            if (succeeded(rung) || r == ladder.Count - 1) return (rungs, r);
            discard(rung);
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>The forget set of rung k: the request, then each requested point's top-k neighbours in rank order, each point once.</summary>
    public static int[] ForgetSet(IReadOnlyList<int> request, Func<int, ReadOnlyMemory<int>> neighbors, int k)
    {
        var set = new List<int>(request);
        var seen = new HashSet<int>(request);
        foreach (int i in request)
        {
            var row = neighbors(i).Span;
            if (k > row.Length) throw new HarnessException($"expansion {k} needs {k} neighbours per point; the scores keep {row.Length} (raise --top-k).");
            foreach (int j in row[..k]) if (j >= 0 && seen.Add(j)) set.Add(j);
        }
        return set.ToArray();
    }
}
