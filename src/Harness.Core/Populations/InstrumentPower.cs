namespace Harness.Populations;

/// <summary>
/// What a population's instruments detect on one group of training points: LiRA's AUC and TPR at 0.1 % and 1 % FPR over the
/// group's (model, point) pairs (each model the target in turn, as <see cref="AttackEvaluation"/>), and Feldman–Zhang
/// memorization (its mean and the share of points at 0.5 or more).
/// </summary>
public sealed record GroupPower(string Group, int Points, double Auc, double TprAt01Pct, double TprAt1Pct, long Members, long NonMembers,
    double MeanMemorization, double MemorizedShare);

/// <summary>
/// The positive control of the population's evidence: its instruments on points known to be memorized (the canaries,
/// <see cref="Data.CanarySet"/>) beside the same instruments on every other training point. An instrument that does not
/// separate canaries can say nothing about typical points.
/// </summary>
public static class InstrumentPower
{
    /// <summary>The memorization at or above which a point counts as memorized in <see cref="GroupPower.MemorizedShare"/>.</summary>
    public const double Memorized = 0.5;

    /// <summary>The canaries' group ("canaries") and the other training points' ("other points").</summary>
    public static GroupPower[] Of(Population population, bool[] canary)
    {
        if (canary.Length != population.Points) throw new ArgumentException($"{canary.Length} canary flags for {population.Points} points");
        return [Group("canaries", population, i => canary[i]), Group("other points", population, i => !canary[i])];
    }

    static GroupPower Group(string name, Population population, Func<int, bool> include)
    {
        var scores = AttackEvaluation.Scores(population.TrainPhi, population.Members, include);
        var points = Enumerable.Range(0, population.Points).Where(include).ToArray();
        var memorization = points.Select(i => population.MemorizationOf(i).Value).Where(double.IsFinite).ToArray();
        return new GroupPower(name, points.Length, Roc.Auc(scores.Members, scores.NonMembers),
            Roc.TprAtFpr(scores.Members, scores.NonMembers, 0.001), Roc.TprAtFpr(scores.Members, scores.NonMembers, 0.01),
            scores.Members.Length, scores.NonMembers.Length,
            memorization.Length == 0 ? double.NaN : memorization.Average(), memorization.Length == 0 ? double.NaN : memorization.Count(m => m >= Memorized) / (double)memorization.Length);
    }
}
