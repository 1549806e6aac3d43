using FluentAssertions;
using Harness.Data;
using Harness.Jobs;
using Harness.Populations;
using Harness.Runs;
using Harness.Scoring;
using Harness.Study;
using Harness.Training;
using NUnit.Framework;

namespace Harness.Tests.Data;

/// <summary>Canaries (training points given a seeded wrong label before anything trains) and the positive controls read from them.</summary>
public class CanaryTests
{
    static DataSplits Small => TestSupport.Mnist with { Train = TestSupport.Mnist.Train.Take(600), Test = TestSupport.Mnist.Test.Take(200) };

    [Test]
    public void CanariesAreSeededDistinctPointsWithAWrongLabelAndNothingElseChanges()
    {
        var data = Small;
        var with = Canaries.Apply(data, 40, seed: 7);
        var c = with.Canaries!;
        c.Index.Should().HaveCount(40).And.OnlyHaveUniqueItems().And.BeInAscendingOrder();
        c.Index.Should().OnlyContain(i => i >= 0 && i < data.Train.Count);
        for (int k = 0; k < c.Count; k++)
        {
            c.TrueLabel[k].Should().Be(data.Train.Labels[c.Index[k]]);
            c.CanaryLabel[k].Should().NotBe(c.TrueLabel[k]).And.BeInRange(0, data.Train.Classes - 1);
            with.Train.Labels[c.Index[k]].Should().Be(c.CanaryLabel[k]);
        }
        var mask = c.Mask(data.Train.Count);
        Enumerable.Range(0, data.Train.Count).Where(i => !mask[i]).Should().OnlyContain(i => with.Train.Labels[i] == data.Train.Labels[i], "only the canaries are relabelled");
        with.Train.Pixels.Should().BeSameAs(data.Train.Pixels);
        (with.Test, with.Validation).Should().Be((data.Test, data.Validation), "validation and test sets keep their labels");
        with.Train.Fingerprint().Should().NotBe(data.Train.Fingerprint(), "every cache key sees the new labels");
        Canaries.Apply(data, 40, 7).Canaries!.Should().BeEquivalentTo(c, "seeded");
        Canaries.Apply(data, 40, 8).Canaries!.Index.Should().NotEqual(c.Index);
        data.Train.Labels.Should().Equal(TestSupport.Mnist.Train.Take(600).Labels, "the data it was given is not modified");
        var tooMany = () => Canaries.Apply(data, 301, 0);
        tooMany.Should().Throw<HarnessException>().WithMessage("canaries: 301 must be between 1 and half of the 600 training points.");
    }

    [Test]
    public void TrainingWithCanariesRecordsWhichTheyAreAndHowManyTheModelMemorized()
    {
        var cache = TestSupport.TempDir("canaries");
        try
        {
            var options = new TrainOptions { Dataset = "mnist", Epochs = 3, TrainLimit = 600, TestLimit = 200, Threads = 2, Device = DeviceChoice.Cpu, CacheRoot = cache, Canaries = 30, CanarySeed = 1 };
            var (trained, data, report) = TrainJob.Run(options, log: _ => { });
            using (trained.Model)
            {
                data.Canaries!.Index.Should().Equal(Canaries.Apply(Small with { Test = data.Test }, 30, 1).Canaries!.Index);
                report.Canaries!.Index.Should().Equal(data.Canaries.Index);
                report.CanaryAccuracy.Should().NotBeNull().And.BeInRange(0, 1);
                var plain = TrainJob.Run(options with { Canaries = null }, log: _ => { });
                using (plain.Model.Model)
                {
                    plain.Model.CheckpointPath.Should().NotBe(trained.CheckpointPath, "a model trained with canaries is another checkpoint");
                    plain.Report.Canaries.Should().BeNull();
                }
            }
        }
        finally { Directory.Delete(cache, true); }
    }

    [Test]
    public void ThePopulationsInstrumentsSeparateCanariesThatTheInModelsFitAndOnlyThem()
    {
        // 8 models on complementary halves of 200 points; the first 20 are canaries: φ is high where a model trained on
        // them and low where it did not (memorized), every other point has the same φ in and out (nothing to detect).
        const int n = 200, models = 8;
        var members = ComplementaryHalves.Membership(models, n, 3);
        var rng = new Random(5);
        var canary = Enumerable.Range(0, n).Select(i => i < 20).ToArray();
        var train = Enumerable.Range(0, models).Select(m =>
        {
            var phi = Enumerable.Range(0, n).Select(i => (canary[i] ? (members[m][i] ? 4.0 : -4.0) : 3.0) + rng.NextDouble()).ToArray();
            var correct = Enumerable.Range(0, n).Select(i => !canary[i] || members[m][i]).ToArray();
            return new Confidences(phi, correct);
        }).ToList();
        var test = train.Select(_ => new Confidences([0.0], [true])).ToList();
        var power = InstrumentPower.Of(new Population(members, train, test), canary);
        power.Select(g => (g.Group, g.Points)).Should().Equal(("canaries", 20), ("other points", 180));
        power[0].Auc.Should().Be(1.0, "every canary's in φ is above every out φ");
        power[0].TprAt1Pct.Should().Be(1.0);
        (power[0].MeanMemorization, power[0].MemorizedShare).Should().Be((1.0, 1.0), "in-models fit the canaries, out-models never do");
        power[1].Auc.Should().BeInRange(0.4, 0.6, "nothing separates the other points");
        (power[1].MeanMemorization, power[1].MemorizedShare).Should().Be((0.0, 0.0));
        (power[0].Members + power[0].NonMembers).Should().Be(20 * models);
    }

    [Test]
    public void AScorerThatPutsTheCanariesAtItsHardEndHasAurocOne()
    {
        // 10 points, 3 canaries, with the largest PC (high is hard) and so the smallest loss (low is hard).
        var loss = new[] { 5.0, 0.1, 4.0, 3.0, 0.2, 5.0, 4.0, 0.05, 3.0, 5.0 };
        var group = loss.Select(l => l < 1).ToArray();
        var labels = new long[10];
        var scores = new PointScores(Enumerable.Range(0, 10).ToArray(), labels, labels, new Dictionary<string, double[]>
        {
            ["loss"] = loss, ["pc"] = loss.Select(l => Math.Exp(-l)).ToArray(), ["margin"] = loss.Select((_, i) => (double)(i % 2)).ToArray(),
        });
        var rows = GroupRanking.Of(scores, group).ToDictionary(r => r.Scorer);
        rows["loss"].Auroc.Should().Be(1.0);
        rows["pc"].Auroc.Should().Be(1.0, "oriented to its hard end");
        rows["loss"].MedianHardnessPercentile.Should().Be(85, "ranks 8, 9, 10 of 10: percentiles 75, 85, 95");
        // margin = i mod 2 (high is hard): 1 on 5 points (canaries 1 and 7) with mid-rank 8, 0 on 5 (canary 4) with mid-rank 3;
        // the canaries' rank sum is 19, U = 19 − 3·4/2 = 13, AUROC = 13 / (3·7).
        rows["margin"].Auroc.Should().BeApproximately(13.0 / 21, 1e-12, "ties share their mid-rank");
    }
}
