using Harness.Numerics;
using FluentAssertions;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests;

/// <summary>LibTorch loads on this platform (on Debian 12 only thanks to the GLIBCXX fix in build/TorchNative.targets) and computes.</summary>
public class TorchLoadTests
{
    [Test]
    public void TorchLoadsAndMultipliesMatrices()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = a.matmul(b);
        c.data<float>().ToArray().Should().Equal(19, 22, 43, 50);
    }

    [Test]
    public void GradientsFlow()
    {
        using var held = new HeldScalars();
        using var x = tensor(new[] { 3.0 }, requires_grad: true);
        using var y = x.pow(held.Of(3));
        y.backward();
        x.grad!.item<double>().Should().Be(27.0);
    }
}
