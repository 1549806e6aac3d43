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
        float[][] Train(Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> make)
        {
            manual_seed(3);
            using var model = new Harness.Models.Cnn2();
            using var opt = make(model.parameters());
            using var x = rand(20, 1, 28, 28);
            using var held = new HeldScalars();
            using var y = arange(held.Of(0), held.Of(20), held.Of(1), ScalarType.Int64).remainder(held.Of(10));
            for (int step = 0; step < 4; step++)
            {
                opt.zero_grad();
                nn.functional.cross_entropy(model.forward(x), y).backward();
                opt.step();
            }
            return model.parameters().Select(p => p.detach().data<float>().ToArray()).ToArray();
        }
        var theirs = Train(p => optim.Adam(p, 0.001, weight_decay: 0.01));
        var same = Train(p => new PortableAdam(p, 0.001, 0.01, sqrt: t => t.sqrt()));
        var portable = Train(p => new PortableAdam(p, 0.001, 0.01));
        for (int i = 0; i < theirs.Length; i++)
        {
            same[i].Should().Equal(theirs[i], "with LibTorch's square root it is TorchSharp's Adam to the bit (parameter {0})", i);
            portable[i].Zip(theirs[i]).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 1e-6 + 1e-4 * Math.Abs(p.Second), "the portable root moves the last bits only (parameter {0})", i);
        }
    }
}
