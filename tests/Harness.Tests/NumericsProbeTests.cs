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
        first.Hashes.Values.Should().OnlyHaveUniqueItems("every probe hashes another computation");
    }
}
