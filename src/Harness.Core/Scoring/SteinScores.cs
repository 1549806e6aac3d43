using Harness.Numerics;
using Harness.Models;
using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// Per-point quantities from the trained model: Stein scores s_i = ∇ₓ log p(y_i|x) at x_i (n×d float32), p(y_i|x_i), the
/// predictive entropy, the predicted class, the softmax vector (n×C float32), and with `features: penultimate` the
/// representation z_i entering the last linear layer and the score taken with respect to it, ∇_z log p(y_i|z) (n×width).
/// Loss is −log p(y_i|x_i) and Margin the logit margin log p_y − max_{c≠y} log p_c (= f_y − max_{c≠y} f_c), both in float64
/// from the log-softmax.
/// </summary>
public sealed record SteinScoreResult(Tensor S, double[] Pc, double[] Entropy, double[] ParamGradNorm, long[] Predicted, Tensor P,
    Tensor? Z = null, Tensor? SZ = null, double[]? Loss = null, double[]? Margin = null) : IDisposable
{
    public void Dispose() { S.Dispose(); P.Dispose(); Z?.Dispose(); SZ?.Dispose(); }
}

public static class SteinScores
{
    /// <summary>
    /// One backward pass per batch: the summed objective's input gradient is every sample's own gradient, since the
    /// model is in eval mode and samples do not interact. Returns S as an n×d float32 tensor on the CPU.
    /// </summary>
    public static SteinScoreResult Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ScoreFunction mode, int batch, bool paramNorms = false,
        FeatureSpace features = FeatureSpace.Input)
    {
        model.eval();
        long n = images.shape[0];
        long d = images[0].numel();
        IHasHead? headed = null;
        if (features == FeatureSpace.Penultimate)
            headed = model as IHasHead ?? throw new HarnessException($"features: penultimate needs a model whose last layer is linear; {model.GetName()} does not expose one.");
        var s = zeros(n, d, dtype: ScalarType.Float32);
        Tensor? z = null, sz = null, p = null;
        var pc = new double[n];
        var entropy = new double[n];
        var predicted = new long[n];
        var loss = new double[n];
        var margin = new double[n];
        for (long start = 0; start < n; start += batch)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batch, n - start);
            var x = images.narrow(0, start, count).detach().clone().requires_grad_(true);
            var y = labels.narrow(0, start, count);
            // With penultimate features the graph goes x → z → logits, and one backward gives both gradients.
            var zb = headed?.Features(x);
            var logits = headed != null ? headed.Head(zb!) : model.forward(x);
            var logp = nn.functional.log_softmax(logits, 1);
            var objective = mode switch
            {
                ScoreFunction.LogSoftmax => logp.gather(1, y.unsqueeze(1)).sum(),
                ScoreFunction.Logit => logits.gather(1, y.unsqueeze(1)).sum(),
                ScoreFunction.Logsumexp => logits.logsumexp(1).sum(),
                _ => throw new ArgumentOutOfRangeException(nameof(mode)),
            };
            var grads = autograd.grad(new[] { objective }, zb is null ? new[] { x } : new[] { x, zb });
            s.narrow(0, start, count).copy_(grads[0].flatten(1).to(ScalarType.Float32).cpu());
            if (zb is not null)
            {
                z ??= zeros(n, zb.shape[1], dtype: ScalarType.Float32).MoveToOuterDisposeScope(); // allocated once, outlives the batch scope
                sz ??= zeros(n, zb.shape[1], dtype: ScalarType.Float32).MoveToOuterDisposeScope(); // allocated once, outlives the batch scope
                z.narrow(0, start, count).copy_(zb.detach().to(ScalarType.Float32).cpu());
                sz.narrow(0, start, count).copy_(grads[1].to(ScalarType.Float32).cpu());
            }
            using (no_grad())
            {
                var lp = logp.detach().to(ScalarType.Float64).cpu();
                var pb = lp.exp();
                p ??= zeros(n, pb.shape[1], dtype: ScalarType.Float32).MoveToOuterDisposeScope();
                p.narrow(0, start, count).copy_(pb.to(ScalarType.Float32));
                var yc = y.cpu().unsqueeze(1);
                var lpy = lp.gather(1, yc).squeeze(1);
                var pcBatch = lpy.exp().data<double>().ToArray();
                var hBatch = (pb * lp).sum(1L).neg().data<double>().ToArray();
                var predBatch = lp.argmax(1).data<long>().ToArray();
                using var held = new HeldScalars();
                var others = lp.scatter(1, yc, full_like(lp.narrow(1, 0, 1), held.Of(double.NegativeInfinity))).max(1L).values;
                lpy.neg().data<double>().ToArray().CopyTo(loss, start);
                (lpy - others).data<double>().ToArray().CopyTo(margin, start);
                pcBatch.CopyTo(pc, start);
                hBatch.CopyTo(entropy, start);
                predBatch.CopyTo(predicted, start);
            }
        }
        var paramGrad = paramNorms ? ParameterGradientNorms(model, images, labels) : Array.Empty<double>();
        return new SteinScoreResult(s, pc, entropy, paramGrad, predicted, p ?? zeros(0, 0), z, sz, loss, margin);
    }

    /// <summary><see cref="Compute(nn.Module{Tensor, Tensor}, Tensor, Tensor, ScoreFunction, int, bool, FeatureSpace)"/> on the points of a set.</summary>
    public static SteinScoreResult Compute(nn.Module<Tensor, Tensor> model, ImageSet set, Device device, ScoreFunction mode, int batch, bool paramNorms = false)
    {
        using var images = set.ImagesTensor(device);
        using var labels = set.LabelsTensor(device);
        return Compute(model, images, labels, mode, batch, paramNorms);
    }

    /// <summary><see cref="ParameterGradientNorms(nn.Module{Tensor, Tensor}, Tensor, Tensor)"/> on the points of a set.</summary>
    public static double[] ParameterGradientNorms(nn.Module<Tensor, Tensor> model, ImageSet set, Device device)
    {
        using var images = set.ImagesTensor(device);
        using var labels = set.LabelsTensor(device);
        return ParameterGradientNorms(model, images, labels);
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
            using var held = new HeldScalars();
            double sq = 0;
            foreach (var g in grads) sq += g.to(ScalarType.Float64).pow(held.Of(2)).sum().item<double>();
            norms[i] = Math.Sqrt(sq);
        }
        return norms;
    }
}
