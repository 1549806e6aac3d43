using FluentAssertions;
using Harness.Study;
using NUnit.Framework;

namespace Harness.Tests.Study;

/// <summary>The study's statistics against values computed by hand (scipy.stats.spearmanr / rankdata / numpy.quantile give the same).</summary>
public class StatisticsTests
{
    [Test]
    public void TiedValuesShareTheMeanOfTheirRanks()
    {
        Statistics.AverageRanks(new[] { 10.0, 20, 20, 30 }).Should().Equal(1, 2.5, 2.5, 4);
        Statistics.AverageRanks(new[] { 5.0, 5, 5 }).Should().Equal(2, 2, 2);
        Statistics.AverageRanks(new[] { 3.0, 1, 2 }).Should().Equal(3, 1, 2);
    }

    [Test]
    public void SpearmanWithTiesIsPearsonOfAverageRanks()
    {
        // y's ranks are 1, 2, 3.5, 5, 3.5: Σdxdy = 8, Σdx² = 10, Σdy² = 9.5, ρ = 8 / √95.
        Statistics.Spearman(new[] { 1.0, 2, 3, 4, 5 }, new[] { 5.0, 6, 7, 8, 7 }).Should().BeApproximately(8 / Math.Sqrt(95), 1e-15);
        Statistics.Spearman(new[] { 1.0, 2, 3 }, new[] { 30.0, 20, 10 }).Should().Be(-1);
        double.IsNaN(Statistics.Spearman(new[] { 1.0, 2, 3 }, new[] { 4.0, 4, 4 })).Should().BeTrue("a constant side has no correlation");
    }

    [Test]
    public void CensoredPointsTieAtTheCap()
    {
        // gt_steps with cap 100: two censored points both get 101 and share ranks 3 and 4. ρ = 4.5 / √22.5 by hand.
        var gt = new double[] { 3, 101, 101, 7 };
        var score = new double[] { 1, 4, 3, 2 };
        Statistics.Spearman(score, gt).Should().BeApproximately(4.5 / Math.Sqrt(22.5), 1e-15);
        new StepsResult(100, true, 0.99, 0.98).Value(100).Should().Be(101);
        new StepsResult(7, false, 0.99, 0.98).Value(100).Should().Be(7);
        new ExpansionResult(null, Array.Empty<LadderStep>()).Value(new[] { 0, 10, 30 }).Should().Be(31);
        new ExpansionResult(10, Array.Empty<LadderStep>()).Value(new[] { 0, 10, 30 }).Should().Be(10);
    }

    [Test]
    public void QuantilesInterpolateLikeNumpy()
    {
        Statistics.Quantile(new[] { 1.0, 2, 3, 4 }, 0.25).Should().Be(1.75);
        Statistics.Quantile(new[] { 1.0, 2, 3, 4 }, 0.975).Should().BeApproximately(3.925, 1e-12);
        Statistics.Quantile(new[] { 5.0 }, 0.5).Should().Be(5);
    }

    [Test]
    public void TheBootstrapIntervalIsSeededAndHoldsItsEstimate()
    {
        var rng = new Random(3);
        var x = Enumerable.Range(0, 300).Select(_ => rng.NextDouble()).ToArray();
        var y = x.Select(v => v + 2 * rng.NextDouble()).ToArray();
        var a = Statistics.SpearmanWithInterval(x, y, 2000, 7);
        var b = Statistics.SpearmanWithInterval(x, y, 2000, 7);
        a.Should().Be(b, "the same seed gives the same resamples");
        a.Rho.Should().Be(Statistics.Spearman(x, y));
        a.Low.Should().BeLessThan(a.Rho); a.High.Should().BeGreaterThan(a.Rho);
        // docs/method.md: with N = 300 a 95 % interval spans about ±0.11.
        (a.High - a.Low).Should().BeInRange(0.15, 0.28);
        Statistics.SpearmanWithInterval(x, y, 2000, 8).Should().NotBe(a, "another seed, other resamples");
        // A monotone relation is ρ = 1 in every resample that has two distinct points.
        var m = Statistics.SpearmanWithInterval(x, x.Select(v => v * v).ToArray(), 2000, 1);
        (m.Rho, m.Low, m.High).Should().Be((1.0, 1.0, 1.0));
    }

    [Test]
    public void TheBootstrapIsThePercentilesOfResampledRho()
    {
        // A by-hand bootstrap with the same generator: draw n indices per resample, ρ of the pairs, 2.5 % and 97.5 % quantiles.
        var x = new double[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var y = new double[] { 2, 1, 4, 3, 6, 5, 8, 7 };
        var rng = new Random(11);
        var rhos = new List<double>();
        for (int b = 0; b < 2000; b++)
        {
            var idx = Enumerable.Range(0, 8).Select(_ => rng.Next(8)).ToArray();
            double r = Statistics.Spearman(idx.Select(i => x[i]).ToArray(), idx.Select(i => y[i]).ToArray());
            if (!double.IsNaN(r)) rhos.Add(r);
        }
        rhos.Sort();
        var c = Statistics.SpearmanWithInterval(x, y, 2000, 11);
        c.Low.Should().Be(Statistics.Quantile(rhos, 0.025));
        c.High.Should().Be(Statistics.Quantile(rhos, 0.975));
        c.Rho.Should().BeApproximately(1 - 6 * 8.0 / (8 * 63), 1e-12, "no ties: ρ = 1 − 6Σd²/(n(n²−1)) with Σd² = 8");
    }

    [Test]
    public void AurocOfTheTopQuarter()
    {
        Statistics.AurocTopQuarter(new[] { 1.0, 2, 3, 4 }, new[] { 0.0, 0, 0, 1 }).Should().Be(1);
        Statistics.AurocTopQuarter(new[] { 4.0, 3, 2, 1 }, new[] { 0.0, 0, 0, 1 }).Should().Be(0);
        Statistics.AurocTopQuarter(new[] { 1.0, 1, 1, 1 }, new[] { 0.0, 0, 0, 1 }).Should().Be(0.5, "ties count one half");
        // Hard = truth ≥ its 75th percentile (8 here): points 3 and 4, scored 9 and 1 against 0, 2, 3: 4 of 6 pairs ordered.
        Statistics.AurocTopQuarter(new[] { 0.0, 2, 3, 9, 1 }, new[] { 1.0, 2, 3, 8, 9 }).Should().BeApproximately(4.0 / 6, 1e-15);
        double.IsNaN(Statistics.AurocTopQuarter(new[] { 1.0, 2 }, new[] { 3.0, 3 })).Should().BeTrue("all tied at the cut are all hard: one class, no AUROC");
    }
}
