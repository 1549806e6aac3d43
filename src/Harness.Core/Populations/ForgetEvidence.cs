using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Populations;

/// <summary>
/// A cell's per-example evidence: the target's φ, out p-value, LiRA score and member call under the original and under the
/// unlearned model; the share of the forget set LiRA calls members before and after; and the same share on a seeded
/// sample of remaining points (unlearning can expose retained points too).
/// </summary>
public sealed record ForgetEvidence(PointEvidence TargetBefore, PointEvidence TargetAfter, double ForgetMembersBefore, double ForgetMembersAfter,
    int RemainSample, double RemainMembersBefore, double RemainMembersAfter, double Fpr, double Threshold);

public static class ForgetEvidenceMeasure
{
    /// <summary>Remaining points whose membership is watched in every cell.</summary>
    public const int DefaultRemainSample = 1000;

    /// <summary>The first <paramref name="count"/> points of D_r in a permutation seeded by <paramref name="seed"/> (all of D_r when fewer).</summary>
    public static int[] RemainSample(int trainCount, IReadOnlyCollection<int> forget, int count, int seed)
    {
        var inForget = forget.ToHashSet();
        var remain = Enumerable.Range(0, trainCount).Where(i => !inForget.Contains(i)).ToArray();
        new Random(unchecked(seed * 7919 + 104729)).Shuffle(remain);
        return remain[..Math.Min(count, remain.Length)];
    }

    public static ForgetEvidence Measure(MembershipEvidence evidence, nn.Module<Tensor, Tensor> original, nn.Module<Tensor, Tensor> unlearned, ImageSet train,
        int target, int[] forget, int[] remainSample, Device device)
    {
        var points = forget.Concat(remainSample).ToArray();
        var set = train.Subset(points);
        var before = PopulationModel.Measure(original, set, device).Phi;
        var after = PopulationModel.Measure(unlearned, set, device).Phi;
        int f = forget.Length, t = Array.IndexOf(forget, target);
        if (t < 0) throw new ArgumentException($"target {target} is not in the forget set.");
        return new ForgetEvidence(evidence.Of(target, before[t]), evidence.Of(target, after[t]),
            evidence.MemberShare(forget, before[..f]), evidence.MemberShare(forget, after[..f]),
            remainSample.Length, evidence.MemberShare(remainSample, before[f..]), evidence.MemberShare(remainSample, after[f..]), evidence.Fpr, evidence.Threshold);
    }
}
