using Harness.Numerics;
using FluentAssertions;
using Harness.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests;

public class PortableMathTests
{
    [Test]
    public void SqrtIsCorrectlyRoundedInBothPrecisions()
    {
        var values = Enumerable.Range(0, 10_007).Select(i => 0.25f + i * 0.00137f).ToArray();
        using var t = tensor(values);
        PortableMath.Sqrt(t).data<float>().ToArray().Should().Equal(values.Select(v => (float)Math.Sqrt(v)));
        using var d = t.to(ScalarType.Float64);
        PortableMath.Sqrt(d).data<double>().ToArray().Should().Equal(values.Select(v => Math.Sqrt(v)));
        t.data<float>().ToArray().Should().Equal(values, "the input is left alone");
    }

    [Test]
    public void PortableAdamIsTorchSharpsAdamButForTheSquareRoot()
    {
        var theirs = OptimizerTests.Train(3, p => optim.Adam(p, 0.001, weight_decay: 0.01));
        var same = OptimizerTests.Train(3, p => new PortableAdam(p, 0.001, 0.01, sqrt: t => t.sqrt()));
        var portable = OptimizerTests.Train(3, p => new PortableAdam(p, 0.001, 0.01));
        for (int i = 0; i < theirs.Length; i++)
        {
            same[i].Should().Equal(theirs[i], "with LibTorch's square root it is TorchSharp's Adam to the bit (parameter {0})", i);
            portable[i].Zip(theirs[i]).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-6 + 1e-4 * Math.Abs(p.Second), "the portable root moves the last bits only (parameter {0})", i);
        }
    }
}
