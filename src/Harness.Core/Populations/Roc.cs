namespace Harness.Populations;

/// <summary>An attack's strength from its scores on members (positives) and non-members (negatives), higher = "member".</summary>
public static class Roc
{
    /// <summary>The area under the ROC curve: P(member score > non-member score) + ½ P(tie).</summary>
    public static double Auc(IReadOnlyList<double> members, IReadOnlyList<double> nonMembers)
    {
        if (members.Count == 0 || nonMembers.Count == 0) throw new HarnessException("the AUC needs members and non-members.");
        var neg = nonMembers.Order().ToArray();
        double wins = 0;
        foreach (var s in members)
        {
            int below = LowerBound(neg, s), notAbove = UpperBound(neg, s);
            wins += below + 0.5 * (notAbove - below);
        }
        return wins / ((double)members.Count * nonMembers.Count);
    }

    /// <summary>
    /// The true-positive rate at a false-positive rate of at most <paramref name="fpr"/>: the share of members scoring
    /// above the threshold that flags at most ⌊fpr · N⌋ of the N non-members (strictly above, so ties are never flagged).
    /// </summary>
    public static double TprAtFpr(IReadOnlyList<double> members, IReadOnlyList<double> nonMembers, double fpr)
    {
        double threshold = Threshold(nonMembers, fpr);
        return members.Count(s => s > threshold) / (double)members.Count;
    }

    /// <summary>The score above which at most ⌊fpr · N⌋ non-members lie (a member is flagged when its score is strictly above it).</summary>
    public static double Threshold(IReadOnlyList<double> nonMembers, double fpr)
    {
        if (nonMembers.Count == 0) throw new HarnessException("a threshold needs non-members.");
        var desc = nonMembers.OrderDescending().ToArray();
        int allowed = (int)Math.Floor(fpr * desc.Length + 1e-9);
        return allowed >= desc.Length ? double.NegativeInfinity : desc[allowed];
    }

    /// <summary>
    /// The ROC curve at <paramref name="points"/> FPRs spaced evenly in log from 1/N (N non-members) to 1: for each, the TPR
    /// of the threshold that flags at most that share of non-members (as <see cref="TprAtFpr"/>).
    /// </summary>
    public static (double[] Fpr, double[] Tpr) Curve(IReadOnlyList<double> members, IReadOnlyList<double> nonMembers, int points = 60)
    {
        var neg = nonMembers.OrderDescending().ToArray();
        var pos = members.Order().ToArray();
        var fpr = new double[points];
        var tpr = new double[points];
        double lo = Math.Log10(1.0 / neg.Length);
        for (int k = 0; k < points; k++)
        {
            double f = Math.Pow(10, lo + (0 - lo) * k / (points - 1));
            int allowed = (int)Math.Floor(f * neg.Length + 1e-9);
            double threshold = allowed >= neg.Length ? double.NegativeInfinity : neg[allowed];
            fpr[k] = f;
            tpr[k] = (pos.Length - UpperBound(pos, threshold)) / (double)pos.Length;
        }
        return (fpr, tpr);
    }

    static int LowerBound(double[] sorted, double x) { int lo = 0, hi = sorted.Length; while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] < x) lo = mid + 1; else hi = mid; } return lo; }
    static int UpperBound(double[] sorted, double x) { int lo = 0, hi = sorted.Length; while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] <= x) lo = mid + 1; else hi = mid; } return lo; }
}
