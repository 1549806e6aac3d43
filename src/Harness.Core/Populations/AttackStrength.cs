namespace Harness.Populations;

/// <summary>How well LiRA tells members from non-members on this population: AUC and TPR at low FPRs, pooled over targets (Carlini et al. 2022, Table 1's measures).</summary>
public sealed record AttackStrength(double Auc, IReadOnlyDictionary<double, double> TprAtFpr, int Targets, long Members, long NonMembers);

/// <summary>
/// LiRA against each model of a population in turn: the target's φ on every point, scored with in/out fits and global
/// deviations from the other models only (leave the target out), its members against its non-members.
/// </summary>
public static class AttackEvaluation
{
    public static AttackStrength Measure(double[][] phi, bool[][] members, IReadOnlyList<double> fprs)
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
                double score = Lira.Score(phi[t][i], PointStatistics.Fit(otherPhi, otherMembers, i), global);
                (members[t][i] ? memberScores : nonMemberScores).Add(score);
            }
        }
        return new AttackStrength(Roc.Auc(memberScores, nonMemberScores), fprs.ToDictionary(f => f, f => Roc.TprAtFpr(memberScores, nonMemberScores, f)),
            models, memberScores.Count, nonMemberScores.Count);
    }
}
