using FluentAssertions;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

/// <summary>`harness score` end to end on a small real run: the files, their shapes, and the kernel dump against the direct formula.</summary>
public class ScoreJobTests
{
    string dir = "";
    [SetUp] public void SetUp() => dir = TestSupport.TempDir("score");
    [TearDown] public void TearDown() => Directory.Delete(dir, true);

    [Test]
    public void WritesScoresNeighboursMetaAndAKernelAnyoneCanCheck()
    {
        var options = new ScoreOptions
        {
            Train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 2000, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") },
            Scoring = new ScoringOptions { TopK = 10 },
            Limit = 400,
            DumpKernel = 12,
            OutDir = Path.Combine(dir, "out"),
        };
        var (scores, stats, meta) = ScoreJob.Run(options, log: _ => { });
        var lines = File.ReadAllLines(Path.Combine(options.OutDir, "scores.csv"));
        lines.Should().HaveCount(401);
        lines[0].Should().Be("index,label,pc,entropy,mksd,log_msksd,ssn,log_emsksd,rank_pc,rank_mksd,rank_msksd,rank_ssn,rank_emsksd");
        PointScores.ReadCsv(Path.Combine(options.OutDir, "scores.csv")).LogMsksd.Should().Equal(scores.LogMsksd);

        var (ishape, idx) = Npy.Read<int>(Path.Combine(options.OutDir, "neighbors", "indices.npy"));
        var (vshape, val) = Npy.Read<float>(Path.Combine(options.OutDir, "neighbors", "values.npy"));
        ishape.Should().Equal(400, 10);
        vshape.Should().Equal(400, 10);
        idx.Should().Equal(stats.NeighborIndex);
        val.Should().Equal(stats.NeighborValue);

        var (xs, xd) = Npy.Read<float>(Path.Combine(options.OutDir, "X.npy"));
        var (ss, sd) = Npy.Read<float>(Path.Combine(options.OutDir, "S.npy"));
        var (ks, kd) = Npy.Read<float>(Path.Combine(options.OutDir, "K.npy"));
        xs.Should().Equal(12, 784); ss.Should().Equal(12, 784); ks.Should().Equal(12, 12);
        double[] Row(float[] f, int i) => f.Skip(i * 784).Take(784).Select(v => (double)v).ToArray();
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
            {
                double expected = DirectKernel.Rbf(Row(xd, i), Row(xd, j), Row(sd, i), Row(sd, j), meta.H!.Value);
                ((double)kd[i * 12 + j]).Should().BeApproximately(expected, 1e-4 * Math.Max(1, Math.Abs(expected)));
            }
        meta.N.Should().Be(400);
        meta.H.Should().BeGreaterThan(0);
        File.Exists(Path.Combine(options.OutDir, "meta.json")).Should().BeTrue();
    }

    /// <summary>`harness unlearn` uses a scoring run's neighbours only when its meta.json says they were made by this model and options.</summary>
    [Test]
    public void NeighboursAreUsedOnlyForTheModelAndOptionsThatMadeThem()
    {
        var train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 300, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") };
        var options = new ScoreOptions { Train = train, Scoring = new ScoringOptions { TopK = 5 }, OutDir = Path.Combine(dir, "out") };
        ScoreJob.Run(options, log: _ => { });
        var (trained, data, _) = TrainJob.Run(train, log: _ => { });
        int n = data.Train.Count;
        UnlearnJob.NeighborsMismatch(options.OutDir, trained, options.Scoring, n).Should().BeNull();
        UnlearnJob.NeighborsMismatch(options.OutDir, trained, options.Scoring with { TopK = 3, BlockSize = 64 }, n).Should().BeNull("top-K and block size do not change κ");
        UnlearnJob.NeighborsMismatch(options.OutDir, trained, options.Scoring with { Kernel = KernelKind.Imq }, n).Should().Be("they were made with kernel rbf (now imq)");
        UnlearnJob.NeighborsMismatch(options.OutDir, trained, options.Scoring, n + 1).Should().Be($"they cover {n} points, the training set has {n + 1}");
        var (other, _, _) = TrainJob.Run(train with { Seed = 4 }, log: _ => { });
        UnlearnJob.NeighborsMismatch(options.OutDir, other, options.Scoring, n).Should().StartWith("they were made with checkpoint ");
        File.Delete(Path.Combine(options.OutDir, "meta.json"));
        UnlearnJob.NeighborsMismatch(options.OutDir, trained, options.Scoring, n).Should().EndWith("meta.json is missing, so nothing says what made the neighbours");
    }
}
