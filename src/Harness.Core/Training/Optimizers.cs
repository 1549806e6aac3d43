using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Training;

[ChoiceOf("optimizer")] public enum Optimizer { Adam, Sgd }

/// <summary>The two optimizers the harness uses.</summary>
public static class Optimizers
{
    public static optim.Optimizer Create(Optimizer name, IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double momentum, double weightDecay) => name switch
    {
        Optimizer.Sgd => new HeldSgd(parameters, lr, momentum, weightDecay), // TorchSharp's SGD with its Scalars held
        Optimizer.Adam => new PortableAdam(parameters, lr, weightDecay), // TorchSharp's Adam with a CPU-independent square root
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
