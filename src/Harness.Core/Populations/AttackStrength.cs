namespace Harness.Populations;

/// <summary>
/// How well LiRA tells members from non-members on this population: AUC and TPR at low FPRs, pooled over targets (Carlini et
/// al. 2022, Table 1's measures), and the LiRA score above which each FPR's share of non-members lies (the population's
/// thresholds for calling a point a member).
/// </summary>
public sealed record AttackStrength(double Auc, IReadOnlyDictionary<double, double> TprAtFpr, IReadOnlyDictionary<double, double> Thresholds,
    int Targets, long Members, long NonMembers);

/// <summary>The LiRA scores of an attack on a population, members (positives) and non-members.</summary>
public sealed record AttackScores(double[] Members, double[] NonMembers)
{
    public AttackStrength Strength(IReadOnlyList<double> fprs, int targets) => new(Roc.Auc(Members, NonMembers),
        fprs.ToDictionary(f => f, f => Roc.TprAtFpr(Members, NonMembers, f)), fprs.ToDictionary(f => f, f => Roc.Threshold(NonMembers, f)),
        targets, Members.Length, NonMembers.Length);
}

/// <summary>
/// LiRA against each model of a population in turn: the target's φ on every point, scored with in/out fits and global
/// deviations from the other models only (leave the target out), its members against its non-members.
/// </summary>
public static class AttackEvaluation
{
    /// <summary>The FPRs reported (Carlini et al.'s 0.1 % and 1 %).</summary>
    public static readonly double[] Fprs = { 0.001, 0.01 };
    /// <summary>The FPR whose threshold decides "member" in the per-example evidence.</summary>
    public const double MemberFpr = 0.01;

    public static AttackStrength Measure(double[][] phi, bool[][] members, IReadOnlyList<double> fprs) => Scores(phi, members).Strength(fprs, members.Length);

    public static AttackScores Scores(double[][] phi, bool[][] members) => Scores(phi, members, _ => true);

    /// <summary>The attack's scores on the points <paramref name="include"/> selects (the fits still use every point's models).</summary>
    public static AttackScores Scores(double[][] phi, bool[][] members, Func<int, bool> include)
    {
        int models = members.Length, points = members[0].Length;
        if (models < 4) throw new HarnessException($"measuring the attack needs at least 4 models (the target left out, in and out models on every point), got {models}.");
        var memberScores = new List<double>();
        var nonMemberScores = new List<double>();
        for (int t = 0; t < models; t++)
        {
            var otherPhi = phi.Where((_, m) => m != t).ToArray();
            var otherMembers = members.Where((_, m) => m != t).ToArray();
            var global = PointStatistics.GlobalSd(otherPhi, otherMembers);
            for (int i = 0; i < points; i++)
            {
                if (!include(i)) continue;
                double score = Lira.Score(phi[t][i], PointStatistics.Fit(otherPhi, otherMembers, i), global);
                (members[t][i] ? memberScores : nonMemberScores).Add(score);
            }
        }
        return new AttackScores(memberScores.ToArray(), nonMemberScores.ToArray());
    }
}
