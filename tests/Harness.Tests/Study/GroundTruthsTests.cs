using Harness.Runs;
using Harness.Evaluation;
using FluentAssertions;
using Harness.Data;
using Harness.Models;
using Harness.Study;
using Harness.Training;
using Harness.Unlearning;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Study;

/// <summary>The ground truths of docs/method.md on cases with a known answer, on a small real MNIST model (1,000 images, 2 epochs).</summary>
public class GroundTruthsTests
{
    string cache = "";
    DataSplits data = null!;
    TrainedModel trained = null!;
    Tensor testX = null!, testY = null!;
    double testBefore;

    [OneTimeSetUp]
    public void TrainSmallModel()
    {
        cache = TestSupport.TempDir("truths");
        (data, trained) = TestSupport.SmallModel(cache, 1000, 500, epochs: 2, seed: 1);
        testX = data.Test.ImagesTensor(); testY = data.Test.LabelsTensor();
        testBefore = Evaluator.Evaluate(trained.Model, testX, testY).Accuracy;
    }

    [OneTimeTearDown] public void Clean() { testX.Dispose(); testY.Dispose(); Directory.Delete(cache, true); }

    long[] Predictions()
    {
        using var _ = no_grad();
        using var x = data.Train.ImagesTensor();
        return trained.Model.forward(x).argmax(1).data<long>().ToArray();
    }

    int Misclassified() => Enumerable.Range(0, data.Train.Count).First(i => Predictions()[i] != data.Train.Labels[i]);
    int Correct() => Enumerable.Range(0, data.Train.Count).First(i => Predictions()[i] == data.Train.Labels[i]);

    [Test]
    public void APointTheModelAlreadyMisclassifiesNeedsNoStepsAndNoExpansion()
    {
        int i = Misclassified();
        var steps = StepsProbe.Measure(trained.Model, "cnn2", data.Train, i, 0.3, 100, testX, testY, testBefore, CPU);
        (steps.Steps, steps.Censored, steps.Collateral).Should().Be((0, false, 0.0));
        var neighbors = Enumerable.Range(0, 30).Where(j => j != i).Take(20).ToArray();
        var e = ExpansionProbe.Measure(trained.Model, "cnn2", data.Train, i, neighbors, new[] { 0, 10, 20 }, new GradAscent().Defaults("mnist"), trained.Settings, CPU);
        e.K.Should().Be(0);
        e.Ladder.Should().HaveCount(1, "the ladder stops at the first k that succeeds");
    }

    [Test]
    public void TheProbeCountsStepsUntilThePredictionFlipsAndLeavesTheOriginalAlone()
    {
        int i = Correct();
        var before = ModelCopy.Parameters(trained.Model);
        var capped = StepsProbe.Measure(trained.Model, "cnn2", data.Train, i, 0.3, 0, testX, testY, testBefore, CPU);
        (capped.Steps, capped.Censored, capped.Value(0)).Should().Be((0, true, 1.0), "a cap of 0 steps censors a correct point at cap + 1");
        capped.Collateral.Should().Be(0, "no step was taken");
        var probe = StepsProbe.Measure(trained.Model, "cnn2", data.Train, i, 5.0, 200, testX, testY, testBefore, CPU);
        probe.Censored.Should().BeFalse("a large learning rate flips any prediction");
        probe.Steps.Should().BeGreaterThan(0);
        probe.Collateral.Should().Be(testBefore - probe.TestAccuracyAfter);
        // One more step than counted is not needed, one fewer is not enough: rerun with the cap at steps − 1.
        var short1 = StepsProbe.Measure(trained.Model, "cnn2", data.Train, i, 5.0, probe.Steps - 1, testX, testY, testBefore, CPU);
        short1.Censored.Should().BeTrue();
        ModelCopy.Parameters(trained.Model).Should().BeEquivalentTo(before, "the original model is never modified");
    }

    [Test]
    public void ExpansionRecordsEveryRungUntilItSucceedsOrRunsOut()
    {
        int i = Correct();
        var neighbors = Enumerable.Range(0, 40).Where(j => j != i).Take(30).ToArray();
        var weak = new GradAscent().Defaults("mnist") with { Epochs = 1 };
        var e = ExpansionProbe.Measure(trained.Model, "cnn2", data.Train, i, neighbors, new[] { 0, 10, 30 }, weak, trained.Settings, CPU);
        e.Censored.Should().BeTrue("one step of lr 1e-4 moves nothing");
        e.Ladder.Select(l => l.K).Should().Equal(0, 10, 30);
        e.Value(new[] { 0, 10, 30 }).Should().Be(31);
        var strong = weak with { LearningRate = 1.0, Epochs = 50, OverfitThreshold = 1e9 };
        var s = ExpansionProbe.Measure(trained.Model, "cnn2", data.Train, i, neighbors, new[] { 0, 10, 30 }, strong, trained.Settings, CPU);
        s.K.Should().Be(0); s.Ladder.Should().ContainSingle().Which.Forgotten.Should().BeTrue();
        var tooFew = () => ExpansionProbe.Measure(trained.Model, "cnn2", data.Train, i, neighbors, new[] { 0, 100 }, weak, trained.Settings, CPU);
        tooFew.Should().Throw<HarnessException>().WithMessage("*needs 100 neighbours; the scores keep 30*");
    }

    [Test]
    public void MemorizationIsSeenMinusUnseenCorrectness()
    {
        // Four models, two points. Point 0: seen by models 0 and 2 (both right), unseen by 1 and 3 (one right): 1 − 0.5.
        // Point 1: right everywhere, a typical point: 0.
        var seen = new[] { new[] { true, false }, new[] { false, true }, new[] { true, false }, new[] { false, true } };
        var correct = new[] { new[] { true, true }, new[] { false, true }, new[] { true, true }, new[] { true, true } };
        GroundTruths.Memorization(correct, seen).Should().Equal(0.5, 0.0);
        double.IsNaN(GroundTruths.Memorization(new[] { new[] { true } }, new[] { new[] { true } })[0]).Should().BeTrue("no model left it out");
    }

    [Test]
    public void HeldoutKlIsTheSymmetricKlToTheModelsThatDidNotSeeThePoint()
    {
        var p0 = new[] { new[] { Math.Log(0.5), Math.Log(0.5) } };
        var pm = new[] { new[] { new[] { Math.Log(0.9), Math.Log(0.1) } }, new[] { new[] { Math.Log(0.5), Math.Log(0.5) } } };
        double kl = 0.5 * Math.Log(0.5 / 0.9) + 0.5 * Math.Log(0.5 / 0.1) + 0.9 * Math.Log(0.9 / 0.5) + 0.1 * Math.Log(0.1 / 0.5);
        Harness.Scoring.HeldoutKl.Of(p0, pm, new[] { new[] { false }, new[] { true } })[0].Should().BeApproximately(kl, 1e-12, "model 1 saw it and is left out");
        Harness.Scoring.HeldoutKl.Of(p0, pm, new[] { new[] { false }, new[] { false } })[0].Should().BeApproximately(kl / 2, 1e-12, "the mean over both");
    }
}
