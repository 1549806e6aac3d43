using FluentAssertions;
using Harness.Populations;
using NUnit.Framework;

namespace Harness.Tests.Populations;

/// <summary>
/// The competition's per-example ε and KLOM against values worked out by hand on constructed distributions (the
/// derivations are in the comments), including the cap at small K and the quirks of the reference code kept on purpose.
/// </summary>
public class UnlearningEvidenceTests
{
    const double Delta = PerExampleEpsilon.Delta;

    [Test]
    public void IdenticalDistributionsGiveZeroEpsilonAndAFullPoint()
    {
        // Every threshold has TPR = FPR = f, so both candidates, log((1−δ−f)/(1−f)) and log((f−δ)/f), are negative: ε = 0.
        var r = PerExampleEpsilon.Of(new double[] { 0, 1, 2, 3 }, new double[] { 0, 1, 2, 3 });
        r.Epsilon.Should().Be(0);
        r.Points.Should().Be(1);
        r.Peaky.Should().BeFalse();
    }

    [Test]
    public void PerfectSeparationIsTheCap()
    {
        // A single threshold between 0.3 and 10 has FPR = FNR = 0: ε = ∞, capped at 50; no points.
        var r = PerExampleEpsilon.Of(new[] { 0, 0.1, 0.2, 0.3 }, new[] { 10, 10.1, 10.2, 10.3 });
        r.Epsilon.Should().Be(PerExampleEpsilon.Cap);
        r.Points.Should().Be(0);
    }

    [Test]
    public void OneOverlappingModelEachSideGivesLogOfThreeAtKFour()
    {
        // Unlearned {0,1,2,3}, retrained {2.5,3.5,4.5,5.5}: no threshold (one or two) separates them; the best keeps one
        // model misclassified on each side, FPR = FNR = 1/4: ε = log(1 − δ − 1/4) − log(1/4) = log(3 − 4δ).
        // K = 4: buckets of 0.5 below ⌈log 3⌉ = 2, so ε ≈ 1.0986 is in [1, 1.5): 1/4 point.
        var r = PerExampleEpsilon.Of(new double[] { 0, 1, 2, 3 }, new[] { 2.5, 3.5, 4.5, 5.5 });
        r.Epsilon.Should().BeApproximately(Math.Log(3 - 4 * Delta), 1e-12);
        r.Points.Should().Be(0.25);
        // Symmetric in which side is unlearned.
        PerExampleEpsilon.Of(new[] { 2.5, 3.5, 4.5, 5.5 }, new double[] { 0, 1, 2, 3 }).Epsilon.Should().BeApproximately(Math.Log(3 - 4 * Delta), 1e-12);
    }

    [Test]
    public void APeakyUnlearnedDistributionIsTheCapOutright()
    {
        // Ranges 0.001 and 3: under 1 %, so the cap whatever the thresholds say (they overlap entirely here).
        var r = PerExampleEpsilon.Of(new[] { 1, 1, 1, 1.001 }, new double[] { 0, 1, 2, 3 });
        r.Peaky.Should().BeTrue();
        r.Epsilon.Should().Be(PerExampleEpsilon.Cap);
    }

    [Test]
    public void TheCapOfAFiniteEpsilonGrowsWithK()
    {
        // The strongest finite evidence: one model of K misclassified on each side, ε = log(1 − δ − 1/K) − log(1/K) = log(K − 1 − δK).
        foreach (int k in new[] { 4, 8, 16 })
        {
            var unlearned = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
            var retrained = unlearned.Select(v => v + k - 1.5).ToArray(); // only the top unlearned model passes the lowest retrained one
            PerExampleEpsilon.Of(unlearned, retrained).Epsilon.Should().BeApproximately(Math.Log(k - 1 - Delta * k), 1e-12, $"K = {k}");
        }
    }

    [Test]
    public void BucketsHalveEveryHalfUnitUpToTheResolution()
    {
        // K = 16: ⌈log 15⌉ = 3, six buckets 1, 1/2, …, 1/32; K = 8: ⌈log 7⌉ = 2, four buckets.
        PerExampleEpsilon.BucketPoints(0.2, 16).Should().Be(1);
        PerExampleEpsilon.BucketPoints(0.7, 16).Should().Be(0.5);
        PerExampleEpsilon.BucketPoints(2.9, 16).Should().Be(1.0 / 32);
        PerExampleEpsilon.BucketPoints(3.0, 16).Should().Be(0);
        PerExampleEpsilon.BucketPoints(50, 16).Should().Be(0);
        PerExampleEpsilon.BucketPoints(1.6, 8).Should().Be(0.125);
        PerExampleEpsilon.BucketPoints(2.0, 8).Should().Be(0);
    }

    [Test]
    public void LinspaceMatchesNumpy()
    {
        PerExampleEpsilon.Linspace(0, 1, 5).Should().Equal(0, 0.25, 0.5, 0.75, 1);
        PerExampleEpsilon.Linspace(2, 3, 1).Should().Equal(2);
        PerExampleEpsilon.Linspace(2, 3, 0).Should().BeEmpty();
    }

    [Test]
    public void KlomOfEqualHistogramsIsZero() => Klom.Of(new double[] { 0, 1, 2, 3 }, new double[] { 0, 1, 2, 3 }).Should().Be(0);

    [Test]
    public void KlomMatchesAHandComputedHistogram()
    {
        // Pooled range [0, 3], 20 bins of 0.15. Unlearned {0,0,1,1,3}: bins 1 and 7 with 1/2 each (3 is the last edge: in no
        // bin, as numpy.digitize does). Oracle {0,1,1,1,3}: bin 1 1/4, bin 7 3/4. D = ½ log(½/¼) + ½ log(½/¾) = ½ log(4/3).
        Klom.Of(new double[] { 0, 0, 1, 1, 3 }, new double[] { 0, 1, 1, 1, 3 }).Should().BeApproximately(0.5 * Math.Log(4.0 / 3), 1e-12);
    }

    [Test]
    public void KlomFloorsTheOracleWhereOnlyTheUnlearnedHaveMass()
    {
        // Unlearned {0,0,2,3}: bin 1 2/3, bin 14 1/3. Oracle {1,1,1,3}: bin 7 only. The oracle gets 1e-5 in bins 1 and 14,
        // then sums to 1 + 2e-5 and is renormalised (scipy's entropy): D = Σ p log(p (1 + 2e-5) / 1e-5).
        double s = 1 + 2e-5;
        double expected = 2.0 / 3 * Math.Log(2.0 / 3 * s / 1e-5) + 1.0 / 3 * Math.Log(1.0 / 3 * s / 1e-5);
        Klom.Of(new double[] { 0, 0, 2, 3 }, new double[] { 1, 1, 1, 3 }).Should().BeApproximately(expected, 1e-9);
    }

    [Test]
    public void KlomClipsToTheReferenceRange()
    {
        // Values beyond ±100 are clipped first: 1e6 and 100 land in the same (last-edge) place.
        Klom.Of(new double[] { 0, 0, 1, 1, 1e6 }, new double[] { 0, 1, 1, 1, 100 })
            .Should().Be(Klom.Of(new double[] { 0, 0, 1, 1, 100 }, new double[] { 0, 1, 1, 1, 100 }));
    }

    [Test]
    public void TheUliraShiftSaysWhetherTheUnlearnedModelsSitAboveOrBelowTheNeverSawItModels()
    {
        // out φ {0, 2}: mean 1, sd √2. After {5, 5}: (5 − 1)/√2 above (remembered); after {−3, −1}: (−2 − 1)/√2 below (overshoot).
        static Harness.Study.UliraResult U(double[] after) => new([9, 9], after, [0, 2], [0, 1], [1, 1], 0, 0, false, 0);
        Harness.Study.UliraShiftGroundTruth.Shift(U([5, 5])).Should().BeApproximately(4 / Math.Sqrt(2), 1e-12);
        Harness.Study.UliraShiftGroundTruth.Shift(U([-3, -1])).Should().BeApproximately(-3 / Math.Sqrt(2), 1e-12);
    }
}
