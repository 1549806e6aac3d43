using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>Per-point quantities from the trained model: Stein scores s_i = ∇ₓ log p(y_i|x) at x_i, p(y_i|x_i), and the predictive entropy.</summary>
public sealed record SteinScoreResult(Tensor S, double[] Pc, double[] Entropy, double[] ParamGradNorm) : IDisposable
{
    public void Dispose() => S.Dispose();
}

public static class SteinScores
{
    /// <summary>
    /// One backward pass per batch: the summed objective's input gradient is every sample's own gradient, since the
    /// model is in eval mode and samples do not interact. Returns S as an n×d float32 tensor on the CPU.
    /// </summary>
    public static SteinScoreResult Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ScoreFunction mode, int batch, bool paramNorms = false)
    {
        model.eval();
        long n = images.shape[0];
        long d = images[0].numel();
        var s = zeros(n, d, dtype: ScalarType.Float32);
        var pc = new double[n];
        var entropy = new double[n];
        for (long start = 0; start < n; start += batch)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batch, n - start);
            var x = images.narrow(0, start, count).detach().clone().requires_grad_(true);
            var y = labels.narrow(0, start, count);
            var logits = model.forward(x);
            var logp = nn.functional.log_softmax(logits, 1);
            var objective = mode switch
            {
                ScoreFunction.LogSoftmax => logp.gather(1, y.unsqueeze(1)).sum(),
                ScoreFunction.Logit => logits.gather(1, y.unsqueeze(1)).sum(),
                ScoreFunction.Logsumexp => logits.logsumexp(1).sum(),
                _ => throw new ArgumentOutOfRangeException(nameof(mode)),
            };
            var grad = autograd.grad(new[] { objective }, new[] { x })[0];
            s.narrow(0, start, count).copy_(grad.flatten(1).to(ScalarType.Float32).cpu());
            using (no_grad())
            {
                var lp = logp.detach().to(ScalarType.Float64).cpu();
                var p = lp.exp();
                var pcBatch = p.gather(1, y.cpu().unsqueeze(1)).squeeze(1).data<double>().ToArray();
                var hBatch = (p * lp).sum(1L).neg().data<double>().ToArray();
                pcBatch.CopyTo(pc, start);
                hBatch.CopyTo(entropy, start);
            }
        }
        var paramGrad = paramNorms ? ParameterGradientNorms(model, images, labels) : Array.Empty<double>();
        return new SteinScoreResult(s, pc, entropy, paramGrad);
    }

    /// <summary>‖∇_θ log p(y_i|x_i)‖ per point (the `ssn: params` reading of Eq. 8): one backward per point.</summary>
    public static double[] ParameterGradientNorms(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.eval();
        var parameters = model.parameters().ToArray();
        long n = images.shape[0];
        var norms = new double[n];
        for (long i = 0; i < n; i++)
        {
            using var scope = NewDisposeScope();
            var logp = nn.functional.log_softmax(model.forward(images.narrow(0, i, 1)), 1)[0, labels[i].item<long>()];
            var grads = autograd.grad(new[] { logp }, parameters);
            double sq = 0;
            foreach (var g in grads) sq += g.to(ScalarType.Float64).square().sum().item<double>();
            norms[i] = Math.Sqrt(sq);
        }
        return norms;
    }
}
