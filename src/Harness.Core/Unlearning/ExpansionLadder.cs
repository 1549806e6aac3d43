namespace Harness.Unlearning;

/// <summary>
/// The expansion ladder: unlearn with the forget set expanded by its top-k Stein neighbours (<see cref="RemovalExpansion.ForgetSet"/>),
/// k growing along a ladder (auto: 0, 10, 30, 100, 300, 700) until a rung succeeds; every rung is recorded. The study's
/// gt_expansion climbs it for one point, `harness forget` for a request (only the kept rung's model survives there: the
/// first that succeeds, or the last when none does).
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
}
