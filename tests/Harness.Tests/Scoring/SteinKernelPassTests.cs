using Harness.Numerics;
using Harness.Runs;
using FluentAssertions;
using Harness.Config;
using Harness.Scoring;
using Harness.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Scoring;

/// <summary>The streamed pass against the direct double loop on real MNIST points and Stein scores of a real (small) model.</summary>
public class SteinKernelPassTests
{
    const int N = 300;
    Tensor x = null!, s = null!;
    double[][] xr = null!, sr = null!;
    string cache = "";

    [OneTimeSetUp]
    public void RealScores()
    {
        cache = TestSupport.TempDir("pass");
        var data = TestSupport.Mnist with { Train = TestSupport.Mnist.Train.Take(2000) };
        var settings = Harness.Profiles.DatasetProfiles.Of("mnist").Training with { Epochs = 1, Threads = 2, Device = DeviceChoice.Cpu };
        var trained = TrainedModel.GetOrTrain(data, "cnn2", settings, new CheckpointCache(cache), log: _ => { });
        var set = data.Train.Take(N);
        using var images = set.ImagesTensor();
        using var stein = SteinScores.Compute(trained.Model, images, set.LabelsTensor(), ScoreFunction.LogSoftmax, 128);
        x = images.flatten(1).contiguous();
        s = stein.S.clone();
        xr = DirectKernel.Rows(x);
        sr = DirectKernel.Rows(s);
    }

    [OneTimeTearDown] public void Clean() => Directory.Delete(cache, true);

    static void ShouldBeRelativelyClose(double[] actual, double[] expected, double rel, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            actual[i].Should().BeApproximately(expected[i], rel * Math.Max(Math.Abs(expected[i]), 1e-300), $"{what}[{i}]");
    }

    static ScoringOptions Options(string precision = "float32", int block = 64, string diagonal = "exclude", string standardize = "row") =>
        new()
        {
            Precision = Choice.Parse<Precision>(precision), BlockSize = block, TopK = 25, Diagonal = Choice.Parse<DiagonalMode>(diagonal),
            Standardize = Choice.Parse<Standardization>(standardize),
        };

    [TestCase("exclude", "row")]
    [TestCase("include", "row")]
    [TestCase("exclude", "global")]
    public void StreamedRbfScoresEqualTheDirectDoubleLoop(string diagonal, string standardize)
    {
        var h = MedianBandwidth.Compute(x, 2000, 0).H;
        var reference = DirectKernel.Statistics(DirectKernel.Matrix(xr, sr, (a, b, sa, sb) => DirectKernel.Rbf(a, b, sa, sb, h)),
            diagonal == "include", standardize == "global", 25);
        foreach (var precision in new[] { "float32", "float64" })
        {
            var stats = SteinKernelPass.Run(new RbfKernel(h), x, s, Options(precision, 64, diagonal, standardize));
            ShouldBeRelativelyClose(stats.Mksd, reference.Mksd, 1e-5, $"{precision} MKSD");
            ShouldBeRelativelyClose(stats.LogMsksd, reference.LogMsksd, 1e-5, $"{precision} log MSKSD");
            for (int i = 0; i < N; i++)
                stats.Neighbors(i).ToArray().Should().Equal(reference.TopK[i], $"{precision} neighbours of {i}");
        }
    }

    [Test]
    public void StreamedImqScoresEqualTheDirectDoubleLoop()
    {
        var reference = DirectKernel.Statistics(DirectKernel.Matrix(xr, sr, (a, b, sa, sb) => DirectKernel.Imq(a, b, sa, sb, 1, -0.5)), false, false, 25);
        var stats = SteinKernelPass.Run(new ImqKernel(1, -0.5), x, s, Options("float64"));
        ShouldBeRelativelyClose(stats.Mksd, reference.Mksd, 1e-9, "MKSD");
        ShouldBeRelativelyClose(stats.LogMsksd, reference.LogMsksd, 1e-9, "log MSKSD");
    }

    [Test]
    public void ScoresDoNotChangeWithBlockSize()
    {
        var kernel = new RbfKernel(MedianBandwidth.Compute(x, 2000, 0).H);
        var baseline = SteinKernelPass.Run(kernel, x, s, Options(block: N));
        foreach (var block in new[] { 1, 7, 64, 299 })
        {
            var other = SteinKernelPass.Run(kernel, x, s, Options(block: block));
            ShouldBeRelativelyClose(other.Mksd, baseline.Mksd, 1e-6, $"block {block} MKSD");
            ShouldBeRelativelyClose(other.LogMsksd, baseline.LogMsksd, 1e-6, $"block {block} log MSKSD");
            other.NeighborIndex.Should().Equal(baseline.NeighborIndex, $"block {block} neighbours");
        }
    }

    [TestCase(64, "exclude")]
    [TestCase(128, "exclude")] // 512-byte aligned chunks: the O_DIRECT spill where the file system allows it
    [TestCase(7, "exclude")]   // rows not a multiple of 16: the untiled elementwise path
    [TestCase(100, "include")]
    public void TheSymmetricPassEqualsCompleteRows(int block, string diagonal)
    {
        var kernel = new RbfKernel(MedianBandwidth.Compute(x, 2000, 0).H);
        var options = Options(block: block, diagonal: diagonal);
        var symmetric = SteinKernelPass.Run(kernel, x, s, options);
        var rows = SteinKernelPass.FullRows(kernel, x, s, options);
        TestContext.Out.WriteLine(symmetric.Strategy);
        symmetric.Strategy.Should().StartWith("symmetric");
        ShouldBeRelativelyClose(symmetric.Mksd, rows.Mksd, 1e-5, "MKSD");
        ShouldBeRelativelyClose(symmetric.LogMsksd, rows.LogMsksd, 1e-5, "log MSKSD");
        ShouldBeRelativelyClose(symmetric.RowSd, rows.RowSd, 1e-5, "row sd");
        symmetric.NeighborIndex.Should().Equal(rows.NeighborIndex);
        for (int i = 0; i < symmetric.NeighborValue.Length; i++)
            ((double)symmetric.NeighborValue[i]).Should().BeApproximately(rows.NeighborValue[i], 1e-5 * Math.Abs(rows.NeighborValue[i]) + 1e-30, $"neighbour value {i}");
    }

    [TestCase(7, "exclude")]
    [TestCase(64, "exclude")]
    [TestCase(128, "include")] // O_DIRECT where the file system allows it
    public void ChunksThatWaitInKappasTailGiveTheBitsOfTheDisk(int block, string diagonal)
    {
        var kernel = new RbfKernel(MedianBandwidth.Compute(x, 2000, 0).H);
        var options = Options(block: block, diagonal: diagonal);
        var plan = MirrorPlan.For(N, block);
        plan.ResidentFloats.Should().BeGreaterThan(0, "the comparison needs chunks that wait in memory");
        var tail = SymmetricKernelPass.Run(kernel, x, s, options, plan: plan);
        var disk = SymmetricKernelPass.Run(kernel, x, s, options, plan: MirrorPlan.AllOnDisk(N, block));
        TestContext.Out.WriteLine(tail.Strategy);
        tail.Strategy.Should().Contain($"{plan.ResidentFloats * 4 / 1e6:F1} MB waited in κ's free tail");
        tail.Mksd.Should().Equal(disk.Mksd);
        tail.LogMsksd.Should().Equal(disk.LogMsksd);
        tail.RowMean.Should().Equal(disk.RowMean);
        tail.RowSd.Should().Equal(disk.RowSd);
        tail.NeighborIndex.Should().Equal(disk.NeighborIndex);
        tail.NeighborValue.Should().Equal(disk.NeighborValue);
    }

    [Test]
    public void EveryOtherConfigurationComputesCompleteRows()
    {
        var rbf = new RbfKernel(MedianBandwidth.Compute(x, 2000, 0).H);
        SteinKernelPass.Run(rbf, x, s, Options() with { Spill = SpillMode.Off }).Strategy.Should().Be("complete rows per block (spill: off)");
        SteinKernelPass.Run(rbf, x, s, Options("float64")).Strategy.Should().Contain("float32");
        SteinKernelPass.Run(rbf, x, s, Options(standardize: "global")).Strategy.Should().Contain("global");
        SteinKernelPass.Run(new ImqKernel(1, -0.5), x, s, Options()).Strategy.Should().Contain("RBF");
        SteinKernelPass.Run(rbf, x, s, Options(block: N)).Strategy.Should().Contain("one block");
    }

    [Test]
    public void TooLittleScratchSpaceIsAClearErrorBeforeAnyWork()
    {
        // 10⁷ points would spill 2·10¹⁴ bytes: refused up front, naming the directory and the ways out.
        var dir = TestSupport.TempDir("scratch");
        var act = () => new KernelSpill(dir, 10_000_000, 4096);
        act.Should().Throw<HarnessException>().WithMessage($"*needs 199918.1 GB of scratch space in {dir} but * GB is free*--scratch*spill: off*");
        Directory.Delete(dir, true);
    }

    [Test]
    public void TheScratchCheckRunsOnlyWhereTheSpillWould()
    {
        var dir = TestSupport.TempDir("scratch");
        var spilled = new ScoringOptions { Scratch = dir };
        var act = () => SymmetricKernelPass.CheckScratch(spilled, 2_000_000); // 8 TB of spill
        act.Should().Throw<HarnessException>().WithMessage($"*scratch space in {dir}*");
        foreach (var other in new[] { spilled with { Spill = SpillMode.Off }, spilled with { Kernel = KernelKind.Imq }, spilled with { Precision = Precision.Float64 } })
            SymmetricKernelPass.CheckScratch(other, 2_000_000); // complete rows: no disk needed, nothing to check
        var bad = () => SymmetricKernelPass.CheckScratch(new ScoringOptions { Scratch = "/proc/not-here" }, 54_000);
        bad.Should().Throw<HarnessException>().WithMessage("the scratch directory /proc/not-here cannot be created*");
        Directory.Delete(dir, true);
    }

    [Test]
    public void Float32IsWithin1e4OfFloat64OnRealRows()
    {
        var kernel = new RbfKernel(MedianBandwidth.Compute(x, 2000, 0).H);
        var f32 = SteinKernelPass.Run(kernel, x, s, Options("float32"));
        var f64 = SteinKernelPass.Run(kernel, x, s, Options("float64"));
        ShouldBeRelativelyClose(f32.Mksd, f64.Mksd, 1e-4, "MKSD");
        ShouldBeRelativelyClose(f32.LogMsksd, f64.LogMsksd, 1e-4, "log MSKSD");
        ShouldBeRelativelyClose(f32.RowSd, f64.RowSd, 1e-4, "row sd");
    }

    [Test]
    public void LogMsksdIsFiniteOnARowWithAnExtremeOutlier()
    {
        // Points 0 and 1 sit together with huge aligned scores, so κ(0,1) dwarfs the rest of row 0:
        // its standardised value exceeds 88.7, where exp overflows float32.
        manual_seed(2);
        const int n = 10000;
        var xo = randn(n, 2);
        var so = -xo.clone();
        using var held = new HeldScalars();
        xo[1] = xo[0].add(held.Of(0.01f), held.Of(1));
        so[0] = tensor(new float[] { 1000, 0 });
        so[1] = tensor(new float[] { 1000, 0 });
        var stats = SteinKernelPass.Run(new RbfKernel(1.0), xo, so, new ScoringOptions { TopK = 1, BlockSize = 512 });
        double z = (stats.NeighborValues(0)[0] - stats.RowMean[0]) / stats.RowSd[0];
        TestContext.Out.WriteLine($"largest standardised value in row 0: {z:F1}; log MSKSD {stats.LogMsksd[0]:F3}");
        z.Should().BeGreaterThan(88.8, "the row must overflow a naive float32 exp");
        stats.Neighbors(0)[0].Should().Be(1);
        stats.LogMsksd.Should().OnlyContain(v => double.IsFinite(v));
        stats.LogMsksd[0].Should().BeApproximately(z, 0.01, "the outlier dominates the sum: log Σ exp ≈ its standardised value");
    }

    [Test]
    public void IdenticalInputsGiveAClearErrorNotNaN()
    {
        var same = ones(50, 4);
        var act = () => KernelFactory.Create(new ScoringOptions(), same);
        act.Should().Throw<HarnessException>().WithMessage("median heuristic: the median squared distance between 50 sampled inputs is 0*--bandwidth H*");
    }

    [Test]
    public void TheFixedBandwidthFallbackScoresIdenticalInputsFinitely()
    {
        var same = ones(50, 4);
        var stats = SteinKernelPass.Run(new RbfKernel(1.0), same, -same, new ScoringOptions { TopK = 3 });
        stats.Mksd.Should().OnlyContain(v => double.IsFinite(v));
        stats.LogMsksd.Should().OnlyContain(v => double.IsFinite(v));
        stats.LogMsksd[0].Should().BeApproximately(Math.Log(49), 1e-9, "a constant row standardises to zeros: log Σ exp 0 = log(n−1)");
    }

    [Test]
    public void MedianBandwidthIsSeededAndRecorded()
    {
        var a = MedianBandwidth.Compute(x, 100, 0);
        var b = MedianBandwidth.Compute(x, 100, 0);
        var c = MedianBandwidth.Compute(x, 100, 1);
        a.Should().Be(b);
        c.H.Should().NotBe(a.H);
        a.SampleSize.Should().Be(100);
        (a.H * a.H).Should().BeApproximately(a.MedianSquaredDistance / 2, 1e-12);
    }
}
