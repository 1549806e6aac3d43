using Harness.Runs;
using FluentAssertions;
using Harness.Data;
using Harness.Evaluation;
using Harness.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Unlearning;

public class MiaEfficacyTests
{
    [Test]
    public void SeparableFeaturesGiveTheGapThreshold()
    {
        var (tau, acc) = MiaEfficacy.FitThreshold(new[] { 0.6, 0.7, 0.8, 0.9 }, new[] { 0.1, 0.2, 0.3, 0.4 });
        tau.Should().Be(0.5);
        acc.Should().Be(1.0);
    }

    [Test]
    public void GaussianFeaturesGiveTheBayesThreshold()
    {
        // Members N(+1, 1), non-members N(−1, 1): the best threshold is 0 with balanced accuracy Φ(1) = 0.8413.
        var rng = new Random(4);
        double N() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var members = Enumerable.Range(0, 20000).Select(_ => 1 + N()).ToArray();
        var non = Enumerable.Range(0, 20000).Select(_ => -1 + N()).ToArray();
        var (tau, acc) = MiaEfficacy.FitThreshold(members, non);
        tau.Should().BeApproximately(0, 0.1);
        acc.Should().BeApproximately(0.8413, 0.01);
    }

    [Test]
    public void OnAnOverfitModelTestPointsLookLikeNonMembersAndTrainingPointsLikeMembers()
    {
        var cache = TestSupport.TempDir("mia");
        try
        {
            var mnist = TestSupport.Mnist;
            var data = mnist with { Train = mnist.Train.Take(400), Test = mnist.Test.Take(2000) };
            var settings = Harness.Profiles.DatasetProfiles.Of("mnist").Training with { Epochs = 200, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, Seed = 2 };
            var trained = TrainedModel.GetOrTrain(data, "cnn2", settings, new CheckpointCache(cache), log: _ => { });
            var train = Evaluator.Evaluate(trained.Model, data.Train, CPU);
            var test = Evaluator.Evaluate(trained.Model, data.Test, CPU);
            TestContext.Out.WriteLine($"train loss {train.Loss:E2} acc {train.Accuracy:F3}; test loss {test.Loss:F3} acc {test.Accuracy:F3}");
            train.Loss.Should().BeLessThan(0.01, "the model must be overfit");
            (test.Loss - train.Loss).Should().BeGreaterThan(0.1, "with a clear train/test gap");

            var forgetTrain = data.Train.Subset(Enumerable.Range(0, 100).ToArray());
            var remain = data.Train.Subset(Enumerable.Range(100, 300).ToArray());
            var forgetTest = mnist.Validation.Take(100); // never seen in training, not in the shadow test set either
            var asTrain = MiaEfficacy.Measure(trained.Model, forgetTrain, remain, data.Test, CPU, 0);
            var asTest = MiaEfficacy.Measure(trained.Model, forgetTest, remain, data.Test, CPU, 0);
            TestContext.Out.WriteLine($"MIA-efficacy: test points as forget set {asTest.Efficacy:F2}, training points {asTrain.Efficacy:F2}; " +
                                      $"shadow balanced accuracy {asTrain.ShadowBalancedAccuracy:F3} (τ = {asTrain.Threshold:G6})");
            asTrain.ShadowBalancedAccuracy.Should().BeGreaterThan(0.6);
            asTest.Efficacy.Should().BeGreaterThan(asTrain.Efficacy + 0.3);
            asTest.ForgetPredictedNonMember.Should().HaveCount(100);
        }
        finally { Directory.Delete(cache, true); }
    }
}
