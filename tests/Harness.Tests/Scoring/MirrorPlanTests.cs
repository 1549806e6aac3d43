using FluentAssertions;
using Harness.Scoring;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

/// <summary>
/// Where the symmetric pass's mirror chunks wait: every slot in κ's tail is free of the block being computed while it is
/// used, no two chunks share a slot at once, the disk runs cover exactly the rest, and MNIST's share is what the doc says.
/// </summary>
public class MirrorPlanTests
{
    [TestCase(54_000, 1280)] // MNIST's pass
    [TestCase(300, 7)]
    [TestCase(300, 64)]
    [TestCase(1000, 128)]
    [TestCase(129, 128)]     // two blocks: nothing ever waits
    public void TheTailHoldsChunksOnlyWhereAndWhileItIsFree(int n, int block)
    {
        var plan = MirrorPlan.For(n, block);
        int blocks = plan.Blocks;
        int Rows(int j) => Math.Min(block, n - j * block);
        var lastUse = new Dictionary<int, (int I, int J)>();
        long resident = 0, disk = 0;
        for (int i = 0; i < blocks; i++)
            for (int j = i + 2; j < blocks; j++)
            {
                int s = plan.Slot(i, j);
                long floats = (long)Rows(j) * block;
                if (s < 0) { disk += floats; continue; }
                resident += floats;
                // placed while block i + 1 computes into the head of the buffer: block·(n − (i+1)·block) floats at most
                plan.SlotOffset(s).Should().BeGreaterThanOrEqualTo((long)block * (n - (i + 1) * block), $"chunk ({i}, {j}) in slot {s}");
                (plan.SlotOffset(s) + floats).Should().BeLessThanOrEqualTo((long)block * n);
                // the slot's previous chunk had its rows reduced before block i's chunks are placed
                if (lastUse.TryGetValue(s, out var before)) before.J.Should().BeLessThanOrEqualTo(i, $"slot {s}: ({before.I}, {before.J}) then ({i}, {j})");
                lastUse[s] = (i, j);
            }
        plan.ResidentFloats.Should().Be(resident);
        plan.DiskFloats.Should().Be(disk);
        for (int j = 2; j < blocks; j++)
        {
            var onDisk = plan.DiskRuns(j, j - 1).SelectMany(r => Enumerable.Range(r.First, r.Count)).ToArray();
            onDisk.Should().Equal(Enumerable.Range(0, j - 1).Where(c => plan.Slot(c, j) < 0), $"region {j}'s disk runs");
        }
        if (n == 54_000)
        {
            (resident / (double)(resident + disk)).Should().BeInRange(0.21, 0.23, "the share the plan's doc states");
            (resident * 4 / 1e9).Should().BeApproximately(1.2, 0.05);
        }
        if (blocks > 2) resident.Should().BeGreaterThan(0);
    }

    [Test]
    public void AllOnDiskKeepsNothingInTheTail()
    {
        var plan = MirrorPlan.AllOnDisk(1000, 128);
        plan.ResidentFloats.Should().Be(0);
        plan.DiskFloats.Should().Be(MirrorPlan.For(1000, 128).DiskFloats + MirrorPlan.For(1000, 128).ResidentFloats);
        plan.DiskRuns(7, 6).Should().Equal(new[] { (0, 6) });
    }
}
