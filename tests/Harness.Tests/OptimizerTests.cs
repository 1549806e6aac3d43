using FluentAssertions;
using Harness.Numerics;
using Harness.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests;

/// <summary>The harness's SGD is TorchSharp's, to the bit; only the lifetime of the Scalars it passes differs (HeldScalars).</summary>
public class OptimizerTests
{
    /// <summary>A cnn2 seeded with <paramref name="seed"/> after four steps of the optimizer on 20 random images: its parameters.</summary>
    internal static float[][] Train(int seed, Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> make)
    {
        manual_seed(seed);
        using var model = new Harness.Models.Cnn2();
        using var opt = make(model.parameters());
        using var held = new HeldScalars();
        using var x = rand(20, 1, 28, 28);
        using var y = arange(held.Of(0), held.Of(20), held.Of(1), ScalarType.Int64).remainder(held.Of(10));
        for (int step = 0; step < 4; step++)
        {
            opt.zero_grad();
            nn.functional.cross_entropy(model.forward(x), y).backward();
            opt.step();
        }
        return model.parameters().Select(p => p.detach().data<float>().ToArray()).ToArray();
    }

    [TestCase(0.0, 0.0)]
    [TestCase(0.9, 0.01)]
    public void HeldSgdIsTorchSharpsSgdToTheBit(double momentum, double weightDecay)
    {
        var theirs = Train(5, p => optim.SGD(p, 0.05, momentum: momentum, weight_decay: weightDecay));
        var ours = Train(5, p => Optimizers.Create(Optimizer.Sgd, p, 0.05, momentum, weightDecay));
        var start = Train(5, p => optim.SGD(p, 0.0));
        for (int i = 0; i < theirs.Length; i++)
        {
            ours[i].Should().Equal(theirs[i], "parameter {0}", i);
            ours[i].Should().NotEqual(start[i], "four steps moved parameter {0}", i);
        }
    }
}
