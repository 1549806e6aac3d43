using FluentAssertions;
using Harness.Populations;
using NUnit.Framework;

namespace Harness.Tests.Populations;

/// <summary>The population's per-point statistics against values worked out by hand (and erfc against Python's math.erfc).</summary>
public class PopulationStatisticsTests
{
    [Test]
    public void LogitConfidenceIsLogOddsOfTheLabelAndStaysFinite()
    {
        // label 0 of logits (2, 0, ln 3): logsumexp(0, ln 3) = ln 4.
        LogitConfidence.Of(new[] { 2f, 0f, (float)Math.Log(3) }, 0).Should().BeApproximately(2 - Math.Log(4), 1e-6);
        // the same as log p − log(1 − p) where that is representable
        float[] z = { 0.3f, -1.2f, 2.5f, 0.1f };
        double sum = z.Sum(v => Math.Exp(v)), p = Math.Exp(z[2]) / sum;
        LogitConfidence.Of(z, 2).Should().BeApproximately(Math.Log(p) - Math.Log(1 - p), 1e-9);
        // p rounds to 1 in double; φ does not overflow
        LogitConfidence.Of(new[] { 100f, 0f, 0f }, 0).Should().BeApproximately(100 - Math.Log(2), 1e-9);
        LogitConfidence.Of(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, 3, new long[] { 0, 2 }).Should().Equal(
            LogitConfidence.Of(new[] { 1f, 2f, 3f }, 0), LogitConfidence.Of(new[] { 4f, 5f, 6f }, 2));
    }

    [Test]
    public void ComplementaryHalvesPutEveryPointInExactlyHalfTheModels()
    {
        var members = ComplementaryHalves.Membership(models: 6, points: 7, seed: 3);
        for (int i = 0; i < 7; i++) members.Count(m => m[i]).Should().Be(3, $"point {i} is in one model of each of the 3 pairs");
        for (int p = 0; p < 3; p++)
        {
            members[2 * p].Zip(members[2 * p + 1]).Should().OnlyContain(x => x.First != x.Second, "a pair's halves are complements");
            members[2 * p].Count(x => x).Should().Be(4, "the first of a pair takes ⌈n/2⌉");
        }
        ComplementaryHalves.Membership(6, 7, 3).Should().BeEquivalentTo(members, o => o.WithStrictOrdering(), "seeded");
        ComplementaryHalves.Membership(6, 7, 4).Select(m => string.Concat(m.Select(x => x ? '1' : '0')))
            .Should().NotEqual(members.Select(m => string.Concat(m.Select(x => x ? '1' : '0'))), "another seed, other halves");
        var act = () => ComplementaryHalves.Membership(5, 7, 0);
        act.Should().Throw<HarnessException>().WithMessage("*even number of models*");
    }

    // Four models; point 0 is in models 0 and 2, point 1 in models 1 and 3.
    static readonly bool[][] Members = { new[] { true, false }, new[] { false, true }, new[] { true, false }, new[] { false, true } };
    static readonly double[][] Phi = { new[] { 1.0, 0.0 }, new[] { -1.0, 5.0 }, new[] { 3.0, 2.0 }, new[] { -3.0, 9.0 } };

    [Test]
    public void InAndOutFitsAndTheGlobalDeviations()
    {
        var f = PointStatistics.Fit(Phi, Members, 0);
        f.Should().Be(new InOut(2, 2.0, Math.Sqrt(2), 2, -2.0, Math.Sqrt(2)));
        var g = PointStatistics.Fit(Phi, Members, 1);
        (g.InMean, g.InSd, g.OutMean, g.OutSd).Should().Be((7.0, Math.Sqrt(8), 1.0, Math.Sqrt(2)));
        // pooled: in = point 0 (1, 3) and point 1 (5, 9): (1 + 1 + 4 + 4) / 2; out = point 0 (−1, −3), point 1 (0, 2): (1 + 1 + 1 + 1) / 2
        var (gin, gout) = PointStatistics.GlobalSd(Phi, Members);
        gin.Should().BeApproximately(Math.Sqrt(5), 1e-12);
        gout.Should().BeApproximately(Math.Sqrt(2), 1e-12);
    }

    [Test]
    public void MemorizationIsInMinusOutCorrectnessWithItsStandardError()
    {
        bool[][] correct = { new[] { true, true }, new[] { true, false }, new[] { true, true }, new[] { false, false } };
        var m = PointStatistics.MemorizationOf(correct, Members, 0);
        m.Value.Should().Be(0.5);                              // in: 2 of 2, out: 1 of 2
        m.StandardError.Should().BeApproximately(Math.Sqrt(0.25 / 2), 1e-12);
        PointStatistics.MemorizationOf(correct, Members, 1).Value.Should().Be(-1.0); // in: 0 of 2 (models 1, 3), out: 2 of 2
    }

    [Test]
    public void LiraScoreIsTheGaussianLogLikelihoodRatio()
    {
        var fit = new InOut(8, 2.0, 3.0, 8, -2.0, 5.0);
        var global = (1.0, 1.0);
        // 8 models a side is below the per-point rule: the global deviations (1, 1) apply.
        Lira.Score(0, fit, global).Should().BeApproximately(0, 1e-12);
        Lira.Score(1, fit, global).Should().BeApproximately(-0.5 + 4.5, 1e-12);
        var many = fit with { InCount = 64, OutCount = 64 };
        Lira.Deviations(many, global).Should().Be((3.0, 5.0));
        Lira.Score(2, many, global).Should().BeApproximately((-Math.Log(3)) - (-0.5 * 16 / 25.0 - Math.Log(5)), 1e-12);
        // one-sided p-value against the out fit: 1.6449 deviations above its mean is p = 0.05
        Lira.OutPValue(-2 + 1.6448536269514722, fit, global).Should().BeApproximately(0.05, 1e-7);
        Lira.OutPValue(-2, fit, global).Should().BeApproximately(0.5, 1e-7);
    }

    [TestCase(0.0, 1.0)]
    [TestCase(0.5, 0.4795001221869535)]
    [TestCase(1.0, 0.15729920705028513)]
    [TestCase(-1.0, 1.842700792949715)]
    [TestCase(3.0, 2.2090496998585438e-05)]
    public void ErfcMatchesPythonsMathErfc(double x, double expected) =>
        Normal.Erfc(x).Should().BeApproximately(expected, 1.2e-7 * expected);

    [Test]
    public void RocAucAndTprAtLowFpr()
    {
        double[] members = { 3, 4, 5 }, nonMembers = { 1, 2, 3 };
        Roc.Auc(members, nonMembers).Should().BeApproximately(8.5 / 9, 1e-12, "the 3–3 tie counts a half");
        Roc.TprAtFpr(members, nonMembers, 1 / 3.0).Should().Be(1.0, "one non-member (3) may be flagged: threshold 2");
        Roc.TprAtFpr(members, nonMembers, 0).Should().BeApproximately(2 / 3.0, 1e-12, "no non-member flagged: strictly above 3");
        Roc.Auc(nonMembers, members).Should().BeApproximately(0.5 / 9, 1e-12);
    }
}

public class AttackEvaluationTests
{
    /// <summary>φ of model m on point i: ±1 by membership (sign <paramref name="memberSign"/>) plus a small deterministic spread.</summary>
    static double[][] Population(bool[][] members, double memberSign) =>
        members.Select((row, m) => row.Select((inside, i) => (inside ? memberSign : -memberSign) + 0.01 * ((m * 7 + i * 3) % 5 - 2)).ToArray()).ToArray();

    [Test]
    public void SeparableMembershipIsFoundAndReversedMembershipIsNot()
    {
        var members = ComplementaryHalves.Membership(models: 8, points: 40, seed: 1);
        var strong = AttackEvaluation.Measure(Population(members, +1), members, new[] { 0.001, 0.01 });
        strong.Auc.Should().Be(1.0);
        strong.TprAtFpr[0.001].Should().Be(1.0);
        (strong.Targets, strong.Members, strong.NonMembers).Should().Be((8, 160L, 160L), "8 targets × 20 members and 20 non-members each");
        // members lower than non-members: the fitted in/out Gaussians learn that too, so the LLR still separates them
        AttackEvaluation.Measure(Population(members, -1), members, new[] { 0.01 }).Auc.Should().Be(1.0);
        // φ that does not depend on membership: every score is the same function of a spread that ignores it
        var blind = members.Select((row, m) => row.Select((_, i) => 0.01 * ((m * 7 + i * 3) % 5 - 2)).ToArray()).ToArray();
        AttackEvaluation.Measure(blind, members, new[] { 0.01 }).Auc.Should().BeInRange(0.3, 0.7);
    }
}

public class MembershipEvidenceTests
{
    /// <summary>
    /// Four models, two points. Point 0: in models φ {4, 6}, out {0, 2}; point 1: in {1, 3}, out {−1, 1}. Every side has
    /// two values 2 apart, so each per-point sd is √2 and the pooled (global) deviations are √2 too.
    /// </summary>
    static Population Constructed()
    {
        bool[][] members = { new[] { true, false }, new[] { false, true }, new[] { true, true }, new[] { false, false } };
        double[][] phi = { new[] { 4.0, 1 }, new[] { 0.0, 1 }, new[] { 6.0, 3 }, new[] { 2.0, -1 } };
        bool[][] correct = { new[] { true, true }, new[] { false, true }, new[] { true, true }, new[] { true, false } };
        var train = phi.Select((p, m) => new Confidences(p, correct[m])).ToList();
        var test = phi.Select(_ => new Confidences(new[] { 0.0 }, new[] { true })).ToList();
        return new Population(members, train, test);
    }

    [Test]
    public void FitsGlobalDeviationsAndMemorizationComeFromTheTables()
    {
        var p = Constructed();
        p.Fit(0).Should().Be(new InOut(2, 5, Math.Sqrt(2), 2, 1, Math.Sqrt(2)));
        p.Fit(1).Should().Be(new InOut(2, 2, Math.Sqrt(2), 2, 0, Math.Sqrt(2)));
        p.GlobalSd.In.Should().BeApproximately(Math.Sqrt(2), 1e-12);
        p.GlobalSd.Out.Should().BeApproximately(Math.Sqrt(2), 1e-12);
        // point 0: the in models (0, 2) are both right, of the out models (1, 3) one: 1 − 1/2
        p.MemorizationOf(0).Value.Should().Be(0.5);
        p.MemorizationOf(0).StandardError.Should().BeApproximately(Math.Sqrt(0.25 / 2), 1e-12);
    }

    [Test]
    public void EvidenceIsTheOutTailAndTheLikelihoodRatioAgainstTheThreshold()
    {
        var evidence = new MembershipEvidence(Constructed(), threshold: 1.0, fpr: 0.01);
        // point 0 at φ = 5 (the in mean): Λ = log N(5; 5, 2) − log N(5; 1, 2) = 16 / 4 = 4 > 1: member
        var at = evidence.Of(0, 5);
        at.Lira.Should().BeApproximately(4, 1e-12);
        at.Member.Should().BeTrue();
        at.OutPValue.Should().BeApproximately(0.5 * Normal.Erfc(4 / (Math.Sqrt(2) * Math.Sqrt(2))), 1e-15);
        // at φ = 1 (the out mean): Λ = −4, p = 1/2, not a member
        evidence.Of(0, 1).Lira.Should().BeApproximately(-4, 1e-12);
        evidence.Of(0, 1).OutPValue.Should().BeApproximately(0.5, 1e-7);
        evidence.Of(0, 1).Member.Should().BeFalse();
        // shares: point 0 at 5 is a member, point 1 at 0 (its out mean) is not
        evidence.MemberShare(new[] { 0, 1 }, new[] { 5.0, 0 }).Should().Be(0.5);
    }
}
