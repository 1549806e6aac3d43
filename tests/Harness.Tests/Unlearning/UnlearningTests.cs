using Harness.Runs;
using FluentAssertions;
using Harness.Data;
using Harness.Evaluation;
using Harness.Jobs;
using Harness.Models;
using Harness.Training;
using Harness.Unlearning;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Unlearning;

/// <summary>The four algorithms and the measurements on a small real MNIST model (1,000 images, 2 epochs).</summary>
public class UnlearningTests
{
    string cache = "";
    DataSplits data = null!;
    TrainedModel trained = null!;
    static readonly int[] Forget = { 3, 17, 42, 99 };

    [OneTimeSetUp]
    public void TrainSmallModel()
    {
        cache = TestSupport.TempDir("unlearn");
        (data, trained) = TestSupport.SmallModel(cache, 1000, 1000, epochs: 2, seed: 1);
    }

    [OneTimeTearDown] public void Clean() => Directory.Delete(cache, true);

    int[] Remain(int[] forget) => Enumerable.Range(0, data.Train.Count).Except(forget).ToArray();

    UnlearnContext Context(UnlearnSettings s, int[]? forget = null, Action<string, ImageSet>? observe = null)
    {
        forget ??= Forget;
        return new UnlearnContext(trained.Model, "cnn2", data.Train, forget, Remain(forget), s, trained.Settings, CPU, ObserveTrainingData: observe);
    }

    Dictionary<string, double[]> OriginalParams => ModelCopy.Parameters(trained.Model);

    [Test]
    public void GradAscentStopsAfterOneStepUnderATinyThreshold()
    {
        var before = OriginalParams;
        var s = new GradAscent().Defaults("mnist") with { OverfitThreshold = 1e-12 };
        var r = new GradAscent().Unlearn(Context(s));
        r.Details["steps"].Should().Be(1);
        r.Details["stopped_by"].Should().Be("threshold");
        ModelCopy.Parameters(trained.Model).Should().BeEquivalentTo(before, "the original model is never modified");
    }

    [Test]
    public void GradAscentOtherwiseStopsAtTheEpochCap()
    {
        var s = new GradAscent().Defaults("mnist") with { OverfitThreshold = 1e9, Epochs = 3, BatchSize = 2 };
        var r = new GradAscent().Unlearn(Context(s));
        r.Details["steps"].Should().Be(6, "3 epochs of 2 batches over 4 forget points");
        r.Details["stopped_by"].Should().Be("epoch limit");
    }

    [Test]
    public void GradAscentWithALargeRateRaisesTheForgetLossPastTheThreshold()
    {
        var s = new GradAscent().Defaults("mnist") with { LearningRate = 0.05 };
        var r = new GradAscent().Unlearn(Context(s));
        r.Details["stopped_by"].Should().Be("threshold");
        ((double)r.Details["final_forget_loss"]).Should().BeGreaterThan(5.0);
    }

    static HashSet<string> Hashes(ImageSet set) =>
        Enumerable.Range(0, set.Count).Select(i => Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(set.Pixels.AsSpan(i * set.PixelsPerImage, set.PixelsPerImage)))).ToHashSet();

    [TestCase("finetune")]
    [TestCase("retrain")]
    public void NeverTrainsOnAForgetPoint(string algorithm)
    {
        var forgetImages = Hashes(data.Train.Subset(Forget));
        ImageSet? given = null;
        var s = (StepSettings)UnlearnerRegistry.Get(algorithm).Defaults("mnist") with { Epochs = 1 };
        UnlearnerRegistry.Get(algorithm).Unlearn(Context(s, observe: (_, set) => given = set));
        given.Should().NotBeNull();
        given!.Count.Should().Be(data.Train.Count - Forget.Length);
        Hashes(given).Overlaps(forgetImages).Should().BeFalse("no forget image may reach training");
    }

    [Test]
    public void RetrainWithTheOriginalSettingsAndNothingToForgetReproducesTheOriginalBitForBit()
    {
        var o = trained.Settings;
        var s = new RemainSetSettings
        {
            Optimizer = o.Optimizer, LearningRate = o.LearningRate, Momentum = o.Momentum, WeightDecay = o.WeightDecay,
            BatchSize = o.BatchSize, Epochs = o.Epochs,
        };
        var r = new Retrain().Unlearn(Context(s, forget: Array.Empty<int>()));
        ModelCopy.Parameters(r.Model).Should().BeEquivalentTo(OriginalParams, o => o.WithStrictOrdering());
        ParameterDistance.Measure(r.Model, trained.Model).Total.Should().Be(0);
    }

    /// <summary>
    /// α scales the variance: the parameter change grows as √α (to float precision, so α² or √ misplaced would fail), α = 0
    /// changes nothing, a tiny α keeps the model's test accuracy, and a large one destroys it (noise is real, not a no-op).
    /// </summary>
    [Test]
    public void FisherAlphaScalesTheNoiseAsItsSquareRootAndAccuracyFollows()
    {
        var s = new FisherForgetting().Defaults("mnist") with { FisherSamples = 100 };
        var zero = new FisherForgetting().Unlearn(Context(s with { Alpha = 0 }));
        ModelCopy.Parameters(zero.Model).Should().BeEquivalentTo(OriginalParams);
        double Distance(double a) => ParameterDistance.Measure(new FisherForgetting().Unlearn(Context(s with { Alpha = a })).Model, trained.Model).Total;
        var d6 = Distance(1e-6);
        var d4 = Distance(1e-4);
        TestContext.Out.WriteLine($"distance for α 1e-6: {d6}, for α 1e-4: {d4}");
        (d4 / d6).Should().BeApproximately(10.0, 1e-3, "the change is √(α·var)·noise with the same seeded noise");

        double original = Evaluator.Evaluate(trained.Model, data.Test, CPU).Accuracy;
        double Accuracy(double a) => Evaluator.Evaluate(new FisherForgetting().Unlearn(Context(s with { Alpha = a })).Model, data.Test, CPU).Accuracy;
        double tiny = Accuracy(1e-12), large = Accuracy(1.0);
        TestContext.Out.WriteLine($"test accuracy: original {original}, α 1e-12 {tiny}, α 1 {large}");
        tiny.Should().BeApproximately(original, 0.01);
        large.Should().BeLessThan(0.5, "noise of variance up to 1e4 on the last layer wrecks a 10-class model");
    }

    [Test]
    public void FisherNoiseIsSeeded()
    {
        var s = new FisherForgetting().Defaults("mnist") with { FisherSamples = 200, Alpha = 1e-6 };
        var a = ModelCopy.Parameters(new FisherForgetting().Unlearn(Context(s)).Model);
        var b = ModelCopy.Parameters(new FisherForgetting().Unlearn(Context(s)).Model);
        var c = ModelCopy.Parameters(new FisherForgetting().Unlearn(Context(s with { Seed = 9 })).Model);
        a.Should().BeEquivalentTo(b);
        a["head.weight"].Should().NotEqual(c["head.weight"]);
    }

    [Test]
    public void DistanceOfAModelToItselfIsZero()
    {
        var (per, total) = ParameterDistance.Measure(trained.Model, trained.Model);
        total.Should().Be(0);
        per.Keys.Should().BeEquivalentTo("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "head.weight", "head.bias");
        per.Values.Should().OnlyContain(v => v == 0);
    }

    [Test]
    public void ErrorsForUnknownAlgorithmNegativeKAndTargetOutOfRange()
    {
        ((Action)(() => UnlearnerRegistry.Get("scrub"))).Should().Throw<HarnessException>()
            .WithMessage("unknown unlearning algorithm 'scrub'; allowed: gradascent, finetune, fisher, retrain.");
        ((Action)(() => RemovalExpansion.Check(5, -1, 1000))).Should().Throw<HarnessException>().WithMessage("expansion size k = -1 must be 0 or more.");
        ((Action)(() => RemovalExpansion.Check(1000, 0, 1000))).Should().Throw<HarnessException>()
            .WithMessage("target 1000 is out of range: the training set has 1000 points (indices 0..999).");
    }

    [Test]
    public void ExpansionTakesTheTargetsLargestKappaNeighbours()
    {
        using var images = data.Train.ImagesTensor();
        using var stein = Harness.Scoring.SteinScores.Compute(trained.Model, images, data.Train.LabelsTensor(), Harness.Scoring.ScoreFunction.LogSoftmax, 500);
        using var x = images.flatten(1);
        var kernel = new Harness.Scoring.RbfKernel(7.0);
        var forget = RemovalExpansion.Compute(kernel, x, stein.S, 42, 20);
        var stats = Harness.Scoring.SteinKernelPass.Run(kernel, x, stein.S, new Harness.Scoring.ScoringOptions { TopK = 20 });
        forget.Should().Equal(new[] { 42 }.Concat(stats.Neighbors(42).ToArray()));
        forget.Should().OnlyHaveUniqueItems();
    }
}
