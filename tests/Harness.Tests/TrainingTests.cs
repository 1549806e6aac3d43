using Harness.Runs;
using FluentAssertions;
using Harness.Data;
using Harness.Models;
using Harness.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests;

public class TrainingTests
{
    string cacheRoot = "";
    readonly List<string> warnings = new();

    [SetUp] public void SetUp() { cacheRoot = TestSupport.TempDir("cache"); warnings.Clear(); }
    [TearDown] public void TearDown() => Directory.Delete(cacheRoot, true);

    static DataSplits Small => TestSupport.Mnist with { Train = TestSupport.Mnist.Train.Take(600) };
    static readonly TrainingSettings Quick = Harness.Profiles.DatasetProfiles.Of("mnist").Training with { Epochs = 1, Threads = 2, Seed = 3, Device = Harness.Training.DeviceChoice.Cpu };

    static float[] Weights(nn.Module<Tensor, Tensor> m) =>
        m.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Test]
    public void SameSeedAndThreadsGiveBitIdenticalWeights()
    {
        var d = Small;
        var a = Trainer.Initialise("cnn2", d.Train, Quick, CPU);
        Trainer.Train(a, d.Train, Quick, CPU);
        var b = Trainer.Initialise("cnn2", d.Train, Quick, CPU);
        Trainer.Train(b, d.Train, Quick, CPU);
        Weights(a).Should().Equal(Weights(b));
        var c = Trainer.Initialise("cnn2", d.Train, Quick with { Seed = 4 }, CPU);
        Trainer.Train(c, d.Train, Quick with { Seed = 4 }, CPU);
        Weights(c).Should().NotEqual(Weights(a), "a different seed must give different weights");
    }

    /// <summary>`max_steps` stops training part-way through an epoch: 600 points in batches of 150 are 4 steps per epoch.</summary>
    [Test]
    public void MaxStepsStopsPartWayThroughAnEpoch()
    {
        var d = Small;
        var limited = Quick with { Epochs = 3, MaxSteps = 6 };
        var a = Trainer.Initialise("cnn2", d.Train, limited, CPU);
        var losses = Trainer.Train(a, d.Train, limited, CPU);
        losses.Should().HaveCount(2, "6 steps are one epoch of 4 and half of the next");
        losses.Should().OnlyContain(l => double.IsFinite(l) && l > 0);
        var b = Trainer.Initialise("cnn2", d.Train, limited with { MaxSteps = 0 }, CPU);
        Trainer.Train(b, d.Train, limited with { MaxSteps = 0, Epochs = 1 }, CPU);
        var c = Trainer.Initialise("cnn2", d.Train, limited, CPU);
        Trainer.Train(c, d.Train, limited with { MaxSteps = 4 }, CPU);
        Weights(c).Should().Equal(Weights(b), "4 steps of 4-step epochs are exactly one epoch");
        Weights(a).Should().NotEqual(Weights(b));
    }

    [Test]
    public void SecondIdenticalTrainingIsACacheHit()
    {
        var cache = new CheckpointCache(cacheRoot);
        var first = TrainedModel.GetOrTrain(Small, "cnn2", Quick, cache, log: warnings.Add);
        var second = TrainedModel.GetOrTrain(Small, "cnn2", Quick, cache, log: warnings.Add);
        first.CacheHit.Should().BeFalse();
        second.CacheHit.Should().BeTrue();
        second.CheckpointPath.Should().Be(first.CheckpointPath);
        Weights(second.Model).Should().Equal(Weights(first.Model));
        var other = TrainedModel.GetOrTrain(Small, "cnn2", Quick with { Epochs = 2 }, cache, log: warnings.Add);
        other.CacheHit.Should().BeFalse("epochs are part of the key");
        // every property of the settings record keys the checkpoint, not a hand-picked list (max_steps was once left out)
        var stopped = TrainedModel.GetOrTrain(Small, "cnn2", Quick with { MaxSteps = 2 }, cache, log: warnings.Add);
        stopped.CacheHit.Should().BeFalse("max_steps is part of the key");
        stopped.CheckpointPath.Should().NotBe(first.CheckpointPath);
        Weights(stopped.Model).Should().NotEqual(Weights(first.Model), "2 of the epoch's 4 steps");
        warnings.Count(w => w.StartsWith("training cnn2 on ", StringComparison.Ordinal)).Should().Be(3, "the first model, the 2-epoch one and the 2-step one are trained; the identical one is loaded");
        warnings.Where(w => !w.StartsWith("training ", StringComparison.Ordinal)).Should().BeEmpty();
    }

    [TestCase("truncate")]
    [TestCase("flip")]
    [TestCase("record")] // a digit of the record's learning events (which feed a score): the record's seal catches it
    public void CorruptCheckpointIsReportedAndRetrained(string damage)
    {
        var cache = new CheckpointCache(cacheRoot);
        var first = TrainedModel.GetOrTrain(Small, "cnn2", Quick, cache, log: warnings.Add);
        if (damage == "record")
        {
            var record = Path.ChangeExtension(first.CheckpointPath, ".json");
            var text = File.ReadAllText(record);
            int at = text.IndexOf("\"learning_events\": [", StringComparison.Ordinal);
            at = text.IndexOf("0.", at, StringComparison.Ordinal) + 3;
            File.WriteAllText(record, text[..at] + (text[at] == '5' ? '6' : '5') + text[(at + 1)..]);
        }
        else
        {
            var bytes = File.ReadAllBytes(first.CheckpointPath);
            if (damage == "truncate") bytes = bytes[..(bytes.Length / 2)];
            else bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(first.CheckpointPath, bytes);
        }

        var again = TrainedModel.GetOrTrain(Small, "cnn2", Quick, cache, log: warnings.Add);
        again.CacheHit.Should().BeFalse();
        warnings.Where(w => !w.StartsWith("training ", StringComparison.Ordinal)).Should().ContainSingle()
            .Which.Should().StartWith($"corrupt checkpoint {first.CheckpointPath}").And.EndWith("retraining.");
        Weights(again.Model).Should().Equal(Weights(first.Model), "retraining reproduces the same model");
        TrainedModel.GetOrTrain(Small, "cnn2", Quick, cache, log: warnings.Add).CacheHit.Should().BeTrue("the retrained checkpoint replaced the corrupt one");
    }

    [Test]
    public void UnknownModelNameIsReported()
    {
        var act = () => ModelFactory.Create("resnet9", Small.Train);
        act.Should().Throw<HarnessException>().WithMessage("unknown model 'resnet9'; allowed: cnn2, resnet18.");
    }

    [Test]
    public void ModelAndDataShapesMustAgree()
    {
        var act = () => ModelFactory.Create("resnet18", Small.Train);
        act.Should().Throw<HarnessException>().WithMessage("model 'resnet18' takes 3×32×32 inputs but the data set has 1×28×28 images*");
    }

    [Test]
    public void ResNet18ProducesClassLogitsForCifarShapedInput()
    {
        manual_seed(0);
        var cifar = CifarBinaryReader.Read(new[] { Path.Combine(TestSupport.Fixtures, "cifar10-mini", "cifar-10-batches-bin", "data_batch_1.bin") });
        using var model = ModelFactory.Create("resnet18", cifar);
        model.eval();
        using var x = cifar.ImagesTensor();
        using var logits = model.forward(x);
        logits.shape.Should().Equal(10, 10);
    }

    [Test]
    public void CudaWithoutCudaIsAClearError()
    {
        if (cuda.is_available()) Assert.Ignore("CUDA is available here");
        var act = () => Devices.Resolve(DeviceChoice.Cuda);
        act.Should().Throw<HarnessException>().WithMessage("*-p:TorchBackend=cuda*");
    }
}
