using Harness.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>
/// TorchSharp's Adam, step for step (its <c>optim.Adam</c> defaults in 0.107: β₁ 0.9, β₂ 0.999, ε 1e-8), with one change: the square
/// root of the second moment is <see cref="PortableMath.Sqrt"/>, correctly rounded on every CPU, instead of LibTorch's,
/// whose last bits follow the CPU vendor. <paramref name="sqrt"/> replaces it (a test passes LibTorch's to check that
/// everything else is TorchSharp's Adam to the bit). Its numbers reach LibTorch as held Scalars (<see cref="HeldScalars"/>),
/// the same values TorchSharp's step passes.
/// </summary>
public sealed class PortableAdam(IEnumerable<Parameter> parameters, double lr, double weightDecay, Func<Tensor, Tensor>? sqrt = null)
    : Adam(parameters, lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: weightDecay)
{
    readonly Func<Tensor, Tensor> root = sqrt ?? PortableMath.Sqrt;

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
        double eps = options.eps!.Value, lr = options.LearningRate!.Value;
        using var held = new HeldScalars();
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            state.step += 1;
            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            if (weightDecay != 0) grad = grad.add(param, alpha: held.Of(weightDecay));
            state.exp_avg.mul_(held.Of(beta1)).add_(grad, alpha: held.Of(1 - beta1));
            state.exp_avg_sq.mul_(held.Of(beta2)).addcmul_(grad, grad.conj(), value: held.Of(1 - beta2));
            var denom = root(state.exp_avg_sq).div(held.Of(Math.Sqrt(biasCorrection2))).add_(held.Of(eps), held.Of(1));
            param.addcdiv_(state.exp_avg, denom, value: held.Of(-(lr / biasCorrection1)));
        }
    }, closure);
}
