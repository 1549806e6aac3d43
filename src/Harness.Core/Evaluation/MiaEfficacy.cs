using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Evaluation;

/// <summary>The membership-inference attack fitted on shadow sets and its verdict on the forget set.</summary>
public sealed record MiaResult(
    double Efficacy, string Attack, string Feature, double Threshold, double ShadowBalancedAccuracy,
    int ShadowMembers, int ShadowNonMembers, double[] ForgetConfidence, bool[] ForgetPredictedNonMember);

/// <summary>
/// MIA-efficacy (docs/method.md, after Song et al. 2019): the confidence feature p_y of the unlearned model; shadow members are
/// |test| points of D_r, shadow non-members the test set; the attack is the threshold on p_y that maximises balanced accuracy
/// on the shadow sets; efficacy is the share of D_f the attack calls non-member (higher = better forgetting).
/// </summary>
public static class MiaEfficacy
{
    public const string Attack = "threshold (max balanced accuracy on shadow sets; member if p_y ≥ τ)";
    public const string Feature = "confidence p_y (softmax of the unlearned model, no augmentation)";

    /// <summary>The threshold τ maximising (TPR + TNR)/2 for "member if x ≥ τ"; among equals, the lowest τ. τ lies midway between observed values.</summary>
    public static (double Threshold, double BalancedAccuracy) FitThreshold(double[] members, double[] nonMembers)
    {
        if (members.Length == 0 || nonMembers.Length == 0) throw new HarnessException("the MIA needs shadow members and non-members.");
        var all = members.Select(v => (v, m: true)).Concat(nonMembers.Select(v => (v, m: false))).OrderBy(p => p.v).ToArray();
        double bestAcc = -1, bestTau = double.NegativeInfinity;
        int membersBelow = 0, nonBelow = 0;
        for (int i = 0; i <= all.Length; i++)
        {
            if (i > 0 && i < all.Length && all[i].v == all[i - 1].v) { Count(all[i - 1]); continue; }
            if (i > 0) Count(all[i - 1]);
            // τ just above everything before i: members at or above τ are those from i on.
            double tpr = 1 - (double)membersBelow / members.Length, tnr = (double)nonBelow / nonMembers.Length;
            double acc = (tpr + tnr) / 2;
            if (acc > bestAcc)
            {
                bestAcc = acc;
                bestTau = i == 0 ? all[0].v - 1 : i == all.Length ? all[^1].v + 1 : (all[i - 1].v + all[i].v) / 2;
            }
        }
        return (bestTau, bestAcc);

        void Count((double v, bool m) p) { if (p.m) membersBelow++; else nonBelow++; }
    }

    /// <summary>p_y of each image under the model, in float64.</summary>
    public static double[] Confidence(nn.Module<Tensor, Tensor> model, ImageSet set, Device device, int batch = Evaluator.Batch)
    {
        model.eval();
        var conf = new double[set.Count];
        using var x = set.ImagesTensor(device);
        using var y = set.LabelsTensor(device);
        using var _ = no_grad();
        for (int start = 0; start < set.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batch, set.Count - start);
            var lp = nn.functional.log_softmax(model.forward(x.narrow(0, start, count)).to(ScalarType.Float64), 1);
            lp.gather(1, y.narrow(0, start, count).unsqueeze(1)).exp().squeeze(1).cpu().data<double>().ToArray().CopyTo(conf, start);
        }
        return conf;
    }

    /// <summary>The positions in D_r of the shadow members, in order: the first min(|test|, |D_r|) of a seeded permutation.</summary>
    public static int[] ShadowOrder(int remainCount, int seed)
    {
        var pick = Enumerable.Range(0, remainCount).ToArray();
        new Random(seed).Shuffle(pick);
        return pick;
    }

    public static MiaResult Measure(nn.Module<Tensor, Tensor> model, ImageSet forget, ImageSet remain, ImageSet test, Device device, int seed)
    {
        var pick = ShadowOrder(remain.Count, seed);
        var shadow = remain.Subset(pick[..Math.Min(test.Count, remain.Count)]);
        return FromConfidences(Confidence(model, shadow, device), Confidence(model, test, device), Confidence(model, forget, device));
    }

    /// <summary>The attack from p_y of the shadow members, the shadow non-members (the test set) and the forget set.</summary>
    public static MiaResult FromConfidences(double[] members, double[] nonMembers, double[] forgetConf)
    {
        var (tau, acc) = FitThreshold(members, nonMembers);
        var nonMember = forgetConf.Select(c => c < tau).ToArray();
        double efficacy = forgetConf.Length == 0 ? double.NaN : nonMember.Count(b => b) / (double)forgetConf.Length;
        return new MiaResult(efficacy, Attack, Feature, tau, acc, members.Length, nonMembers.Length, forgetConf, nonMember);
    }
}
