using Harness.Config;
using Harness.Data;
using Harness.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Unlearning;

public sealed record FisherSettings : UnlearnSettings
{
    /// <summary>Noise scale α.</summary>
    [Setting("alpha", "noise scale α", Min = 0, Max = 1e6)]
    public double Alpha { get; init; }

    /// <summary>At most this many points of D_r (seeded sample) enter F; 0 means all of D_r.</summary>
    [Setting("fisher_samples", "points of D_r (seeded sample) in the Fisher matrix; 0 = all", Min = 0)]
    public int FisherSamples { get; init; }

    /// <summary>Table 5: α 1e-5 (MNIST-like), 6e-8 (CIFAR-10, SVHN).</summary>
    public static FisherSettings Table5(string dataset) => new() { BatchSize = BatchFor(dataset), Alpha = MnistLike(dataset) ? 1e-5 : 6e-8 };
}

/// <summary>
/// Fisher forgetting (Golatkar et al. 2020, as in Unlearn-Sparse `fisher_new`): a diagonal Fisher F over D_r, then
/// θ ← θ₀ + √var · 𝒩(0, 1) with var = α · clamp(1 / (F + 1e-8), max 1e3), the last layer clamped at 1e2, from a seeded generator.
/// </summary>
public sealed class FisherForgetting : Unlearner<FisherSettings>
{
    public override string Name => "fisher";
    public override string Summary => "diagonal Fisher over D_r, then Gaussian noise scaled by α / F";
    public override FisherSettings Defaults(string dataset) => FisherSettings.Table5(dataset);

    protected override UnlearnResult Run(UnlearnContext c, FisherSettings s)
    {
        var model = ModelCopy.Clone(c.Original, c.ModelName, c.Train, c.Device);
        var remainIdx = c.Remain;
        if (s.FisherSamples > 0 && s.FisherSamples < remainIdx.Length)
        {
            remainIdx = (int[])remainIdx.Clone();
            new Random(s.Seed).Shuffle(remainIdx);
            remainIdx = remainIdx[..s.FisherSamples];
            Array.Sort(remainIdx);
        }
        var fisher = DiagonalFisher(model, c.Train.Subset(remainIdx), s.BatchSize, c.Device);
        var gen = new Generator((ulong)s.Seed);
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                using var scope = NewDisposeScope();
                var variance = (1.0 / (fisher[name] + 1e-8)).clamp_max(p.shape[0] == c.Train.Classes ? 1e2 : 1e3) * s.Alpha;
                var noise = randn(p.shape, dtype: p.dtype, generator: gen).to(p.device);
                p.add_(variance.sqrt() * noise);
            }
        }
        foreach (var f in fisher.Values) f.Dispose();
        return new UnlearnResult(model, new Dictionary<string, object> { ["fisher_points"] = remainIdx.Length, ["alpha"] = s.Alpha });
    }

    /// <summary>F = mean over batches of Σ_c mean_batch(p_c) · (∇_θ mean-batch loss with target c)².</summary>
    public static Dictionary<string, Tensor> DiagonalFisher(nn.Module<Tensor, Tensor> model, ImageSet set, int batch, Device device)
    {
        model.eval();
        var named = model.named_parameters().ToList();
        var parameters = named.Select(p => p.parameter).ToArray();
        var fisher = named.ToDictionary(p => p.name, p => zeros_like(p.parameter));
        using var x = set.ImagesTensor(device);
        using var y = set.LabelsTensor(device);
        int n = set.Count, batches = 0;
        for (int start = 0; start < n; start += batch, batches++)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batch, n - start);
            var output = model.forward(x.narrow(0, start, count));
            var prob = nn.functional.softmax(output, 1).detach().mean(new long[] { 0 });
            for (int cls = 0; cls < set.Classes; cls++)
            {
                var target = full(count, cls, dtype: ScalarType.Int64, device: device);
                var loss = nn.functional.cross_entropy(output, target);
                var grads = autograd.grad(new[] { loss }, parameters, retain_graph: cls < set.Classes - 1);
                double pc = prob[cls].item<float>();
                for (int k = 0; k < named.Count; k++) fisher[named[k].name].add_(grads[k].square(), alpha: pc);
            }
        }
        foreach (var f in fisher.Values) f.div_(Math.Max(1, batches));
        return fisher;
    }
}
