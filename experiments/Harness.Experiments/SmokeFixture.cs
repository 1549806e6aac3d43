using FluentAssertions;
using Harness.Jobs;
using NUnit.Framework;

namespace Harness.Experiments;

/// <summary>
/// A real end-to-end run until the YAML-expanded matrix lands: trains cnn2 on 6,000 real MNIST images
/// for three epochs (cached after the first run) and checks it learned.
/// </summary>
[Category("smoke")]
public class SmokeFixture
{
    [Test]
    public void Cnn2LearnsMnistSubset()
    {
        var (trained, _, report) = TrainJob.Run(new TrainOptions { Dataset = "mnist", Epochs = 3, TrainLimit = 6000, Threads = 2, Device = "cpu" });
        TestContext.Out.WriteLine($"train {report.TrainAccuracy:F4} test {report.TestAccuracy:F4} cache hit {report.CacheHit}");
        report.TrainCount.Should().Be(6000);
        report.TestCount.Should().Be(10000);
        report.TestAccuracy.Should().BeGreaterThan(0.9, "three epochs over 6,000 images already separate the digits");
        trained.Model.Dispose();
    }
}
