using Harness.Numerics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>
/// TorchSharp's SGD (<c>optim.SGD</c> in 0.107), step for step, with one change: its numbers reach LibTorch as held
/// Scalars (<see cref="HeldScalars"/>), the same values TorchSharp's step passes as Scalars nothing holds. A test
/// (<c>OptimizerTests</c>) checks the parameters against TorchSharp's SGD to the bit.
/// </summary>
public sealed class HeldSgd(IEnumerable<Parameter> parameters, double lr, double momentum, double weightDecay)
    : SGD(parameters, lr, momentum: momentum, weight_decay: weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, weightDecay = options.weight_decay!.Value;
        bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
        double lr = options.LearningRate!.Value;
        using var held = new HeldScalars();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (weightDecay != 0) grad = grad.add(param, alpha: held.Of(weightDecay));
            if (momentum != 0)
            {
                var buf = state.momentum_buffer;
                if (buf is null) buf = grad.clone().detach().DetachFromDisposeScope();
                else buf.mul_(held.Of(momentum)).add_(grad, alpha: held.Of(1 - dampening));
                grad = nesterov ? grad.add(buf, alpha: held.Of(momentum)) : buf;
                state.momentum_buffer = buf;
            }
            param.add_(grad, alpha: held.Of(maximize ? lr : -lr));
        }
    }, closure);
}
