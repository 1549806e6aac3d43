using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>The two optimizers the harness uses, by the name configs give them.</summary>
public static class Optimizers
{
    public static optim.Optimizer Create(string name, IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double momentum, double weightDecay) => name switch
    {
        "sgd" => optim.SGD(parameters, lr, momentum: momentum, weight_decay: weightDecay),
        "adam" => optim.Adam(parameters, lr, weight_decay: weightDecay),
        _ => throw new HarnessException($"optimizer '{name}' is unknown; use adam or sgd."),
    };
}
