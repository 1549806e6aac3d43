using Harness.Numerics;
using Harness.Diagnostics;
using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests;

public class NumericsProbeTests
{
    [Test]
    public void TheProbeIsRepeatableInOneProcessAndCoversEachKernelFamily()
    {
        var first = NumericsProbe.Run(2);
        var second = NumericsProbe.Run(2);
        second.Hashes.Should().Equal(first.Hashes, "the same machine, threads and inputs give the same bits");
        first.NumericsClass.Should().Be(NumericsClass.Current);
        foreach (var family in new[] { "mkl mm", "onednn conv", "backward weights", "aten exp", "randn", "adam", "FastExp" })
            first.Hashes.Keys.Should().Contain(k => k.Contains(family), family);
        first.Inexact["harness PortableMath.Sqrt (100,000 values)"].Should().Be(0, "the square root training uses is correctly rounded");
        first.Inexact.Keys.Should().Contain("aten sqrt (100,000 values)", "LibTorch's own square root is counted too");
    }
}
