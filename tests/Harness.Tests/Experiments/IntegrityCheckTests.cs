using FluentAssertions;
using Harness.Jobs;
using Harness.Runs;
using Harness.Pipelines;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

/// <summary>`harness verify --integrity` on a real scoring run and its cached checkpoint: each fault found and named, and --repair leaves a clean folder.</summary>
public class IntegrityCheckTests
{
    [Test]
    public void CorruptMissingAndOrphanedFilesAreFoundAndRepaired()
    {
        var dir = TestSupport.TempDir("integrity");
        var results = Path.Combine(dir, "results");
        var cache = Path.Combine(dir, "cache");
        var train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 300, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = cache };
        var run = new ScoringRunFiles(Path.Combine(results, "m", "shared", "mnist-s0", "input-median"));
        ScoreJob.Run(new ScoreOptions { Train = train, Scoring = new Harness.Scoring.ScoringOptions { TopK = 5 }, OutDir = run.Dir }, log: _ => { });

        var (clean, checkedFiles) = IntegrityCheck.Run(results, cache);
        clean.Should().BeEmpty();
        checkedFiles.Should().Be(6, "five scoring files and one checkpoint");

        var bytes = File.ReadAllBytes(run.NeighborValues);
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(run.NeighborValues, bytes);
        var checkpoint = Directory.GetFiles(Path.Combine(cache, "checkpoints"), "*.pt").Single();
        File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..1000]);
        File.Delete(run.ExtremesNpy);
        var temp = Path.Combine(run.Dir, $".scores.csv.99999999.{Guid.NewGuid():N}.tmp"); // a process killed mid-write
        File.WriteAllText(temp, "half");

        var (found, _) = IntegrityCheck.Run(results, cache);
        found.Select(f => (f.Fault, f.Path)).Should().BeEquivalentTo(new[]
        {
            (IntegrityFault.Corrupt, run.NeighborValues), (IntegrityFault.Corrupt, checkpoint),
            (IntegrityFault.Missing, run.ExtremesNpy), (IntegrityFault.Orphaned, temp),
        });
        found.Single(f => f.Path == run.NeighborValues).Detail.Should().Contain("where its record says");
        IntegrityCheck.ExitCode(found).Should().Be(5, "corrupt files are the worst fault");
        IntegrityCheck.ExitCode(found.Where(f => f.Fault != IntegrityFault.Corrupt).ToList()).Should().Be(6);
        IntegrityCheck.ExitCode(found.Where(f => f.Fault == IntegrityFault.Orphaned).ToList()).Should().Be(7);

        var removed = IntegrityCheck.Repair(found);
        removed.Should().Contain(new[] { run.NeighborValues, run.Meta, checkpoint, temp });
        IntegrityCheck.Run(results, cache).Findings.Should().BeEmpty("what was damaged is gone with its record: the next run computes it again");
        ScoringRunCheck.Mismatch(run, "any", new Harness.Scoring.ScoringOptions(), 300, ScoringRunUse.Neighbors).Should().EndWith("meta.json is missing, so nothing says what made the run");
        Directory.Delete(dir, true);
    }
}
