using FluentAssertions;
using Harness.Populations;
using NUnit.Framework;

namespace Harness.Tests.Populations;

/// <summary>The member call's false-positive rate on never-saw-it models, its exact interval, and the test-set calibration.</summary>
public class MemberCallCheckTests
{
    [TestCase(0, 100, 0.0, 0.036217)]
    [TestCase(1, 100, 0.000253, 0.054459)]
    [TestCase(5, 10, 0.187086, 0.812914)]
    [TestCase(10, 10, 0.691503, 1.0)]
    public void ClopperPearsonMatchesPublishedValues(int k, int n, double low, double high)
    {
        // R: binom.test(k, n)$conf.int
        var (lo, hi) = MemberCallCheck.ClopperPearson(k, n);
        lo.Should().BeApproximately(low, 1e-6);
        hi.Should().BeApproximately(high, 1e-6);
    }

    [Test]
    public void TheCalibrationMatchesTheTestSetsQuantiles()
    {
        var rng = new Random(1);
        var population = Enumerable.Range(0, 5000).Select(_ => rng.NextDouble() * 10).ToArray();
        var same = PhiCalibration.FromTestSets(population, population);
        foreach (double x in new[] { -3.0, 0.1, 4.2, 9.9, 15 }) same.Apply(x).Should().BeApproximately(x, 1e-12, "the same distribution maps onto itself");
        var shifted = PhiCalibration.FromTestSets(population.Select(x => x + 2), population);
        foreach (double x in new[] { -3.0, 2.5, 6.0, 11.9, 20 }) shifted.Apply(x).Should().BeApproximately(x - 2, 1e-9, "a shift is removed, inside the range and beyond it");
        PhiCalibration.None.Apply(7.5).Should().Be(7.5);
        var steps = new PhiCalibration([0, 1, 1, 2], [0, 10, 10, 20]);
        steps.Apply(0.5).Should().Be(5);
        steps.Apply(1.5).Should().Be(15);
    }

    [Test]
    public void AFullDataModelsShiftInflatesTheFalsePositivesAndTheCalibrationRemovesIt()
    {
        // 16 models on complementary halves of 4,000 points: out φ ~ N(0, 1), in φ ~ N(3, 1), test φ ~ N(0, 1). The
        // held-out model is trained on twice the data: φ 2 higher on points it never saw, and on the test set.
        const int n = 4000, models = 16;
        var rng = new Random(7);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var members = ComplementaryHalves.Membership(models, n, 1);
        var train = Enumerable.Range(0, models).Select(m => new Confidences(Enumerable.Range(0, n).Select(i => (members[m][i] ? 3 : 0) + Gauss()).ToArray(), new bool[n])).ToList();
        var test = Enumerable.Range(0, models).Select(_ => new Confidences(Enumerable.Range(0, 500).Select(_ => Gauss()).ToArray(), new bool[500])).ToList();
        var population = new Population(members, train, test);
        double threshold = AttackEvaluation.Scores(population.TrainPhi, members).Strength(AttackEvaluation.Fprs, models).Thresholds[0.01];
        var heldOut = MemberCallCheck.HeldOut(n, 2000, 3);
        heldOut.Should().HaveCount(2000).And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var phi = heldOut.Select(_ => 2 + Gauss()).ToArray();
        var calibration = PhiCalibration.FromTestSets(Enumerable.Range(0, 8000).Select(_ => 2 + Gauss()), test.SelectMany(t => t.Phi));
        var check = MemberCallCheck.Of(population, threshold, 0.01, heldOut, phi, calibration);
        check.Points.Should().Be(2000);
        check.Fpr.Should().BeGreaterThan(0.05, "φ two deviations up looks like membership");
        check.Calibrated.Raw.Should().BeFalse();
        check.FprCalibrated.Should().BeLessThan(0.03);
        check.Calibrated.Calibrated.Should().BeTrue("with the shift removed the call's FPR is the nominal 1 % within its interval");
        (check.Low, check.High).Should().Be(MemberCallCheck.ClopperPearson(check.Called, 2000));
    }
}
