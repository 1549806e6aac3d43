using Harness.Numerics;
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

    /// <summary>Table 5: α 1e-5 (MNIST-like), 6e-8 (CIFAR-10, SVHN); F over batches of 32, as the reference.</summary>
    public static FisherSettings Table5(string dataset) => new() { BatchSize = 32, Alpha = MnistLike(dataset) ? 1e-5 : 6e-8 };
}

/// <summary>
/// Fisher forgetting (Golatkar et al. 2020) exactly as the reference docs/method.md names (Unlearn-Sparse `unlearn/fisher.py`:
/// `hessian`, `get_mean_var`, `fisher_new`): a diagonal Fisher F over D_r in batches of 32 (<see cref="DiagonalFisher"/>),
/// then θ ← θ₀ + √var · 𝒩(0, 1) from a seeded generator, with var built by the rules of <see cref="Variance"/>.
/// </summary>
public sealed class FisherForgetting() : Unlearner<FisherSettings>("fisher", "Fisher", "diagonal Fisher over D_r, then Gaussian noise scaled by α / F", FisherSettings.Table5)
{
    protected override UnlearnResult Run(UnlearnContext c, FisherSettings s)
    {
        var model = ModelCopy.Clone(c.Original, c.ModelName, c.Train, c.Device);
        var remainIdx = Sample(c.Train.Count, c.Forget, s.FisherSamples, s.Seed) ?? c.Remain;
        var fisher = Cache.Get(c.Original, remainIdx, s.BatchSize, c.Train.Classes, () =>
        {
            var remain = c.Train.Subset(remainIdx);
            using var x = remain.ImagesTensor(c.Device);
            using var y = remain.LabelsTensor(c.Device);
            return DiagonalFisher(model, x, y, c.Train.Classes, s.BatchSize);
        });
        Perturb(model, fisher, s.Alpha, c.Train.Classes, s.Seed);
        return new UnlearnResult(model, new Dictionary<string, object> { ["fisher_points"] = remainIdx.Length, ["alpha"] = s.Alpha });
    }

    /// <summary>
    /// The seeded sample of D_r the Fisher is computed on, sorted, or null for all of D_r: the first m points of a seeded
    /// permutation of the whole training set that are not in the forget set. Forget sets that miss those points get the
    /// same sample, so their (identical) Fisher can be reused.
    /// </summary>
    public static int[]? Sample(int n, int[] forget, int m, int seed)
    {
        if (m <= 0 || m >= n - forget.Length) return null;
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        var skip = forget.ToHashSet();
        var pick = order.Where(i => !skip.Contains(i)).Take(m).ToArray();
        Array.Sort(pick);
        return pick;
    }

    /// <summary>
    /// The last few diagonal Fishers computed, kept for the next cells: F depends only on the original model, the sample
    /// and the batch size, so a cell with the same three gets the same F without recomputing it (the model is never
    /// modified). A matrix alternates cells whose samples differ (k = 0 and k = 100), hence more than one entry.
    /// </summary>
    static class Cache
    {
        const int Capacity = 4;
        static readonly List<(object Model, string Key, Dictionary<string, Tensor> Value)> Entries = new();

        public static Dictionary<string, Tensor> Get(object original, int[] sample, int batch, int classes, Func<Dictionary<string, Tensor>> compute)
        {
            var k = $"{batch}/{classes}/{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(sample.AsSpan())))}";
            lock (Entries)
            {
                int hit = Entries.FindIndex(e => ReferenceEquals(e.Model, original) && e.Key == k);
                if (hit >= 0)
                {
                    var e = Entries[hit];
                    Entries.RemoveAt(hit);
                    Entries.Add(e); // most recently used last
                    return e.Value;
                }
                Entries.RemoveAll(e =>
                {
                    bool stale = !ReferenceEquals(e.Model, original);
                    if (stale) foreach (var f in e.Value.Values) f.Dispose();
                    return stale;
                });
                if (Entries.Count == Capacity)
                {
                    foreach (var f in Entries[0].Value.Values) f.Dispose();
                    Entries.RemoveAt(0);
                }
                var value = compute();
                Entries.Add((original, k, value));
                return value;
            }
        }
    }

    /// <summary>
    /// The reference's `hessian`: model in eval mode; for each batch and each class c, the mean cross-entropy of the batch
    /// with every target set to c is back-propagated and F += mean_batch(p_c) · grad²; at the end F /= the number of batches.
    /// (The labels do not enter: every class is tried.)
    /// </summary>
    public static Dictionary<string, Tensor> DiagonalFisher(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int classes, int batch)
    {
        model.eval();
        var named = model.named_parameters().ToList();
        var parameters = named.Select(p => p.parameter).ToArray();
        var fisher = named.ToDictionary(p => p.name, p => zeros_like(p.parameter).detach());
        long n = x.shape[0];
        int batches = 0;
        using var held = new HeldScalars();
        for (long start = 0; start < n; start += batch, batches++)
        {
            using var scope = NewDisposeScope();
            using var batchHeld = new HeldScalars();
            long count = Math.Min(batch, n - start);
            var output = model.forward(x.narrow(0, start, count));
            var prob = nn.functional.softmax(output, 1).detach().mean(new long[] { 0 });
            for (int cls = 0; cls < classes; cls++)
            {
                var target = full(count, batchHeld.Of(cls), dtype: ScalarType.Int64, device: x.device);
                var loss = nn.functional.cross_entropy(output, target);
                var grads = autograd.grad(new[] { loss }, parameters, retain_graph: cls < classes - 1);
                double pc = prob[cls].item<float>();
                using (no_grad())
                    for (int k = 0; k < named.Count; k++) fisher[named[k].name].add_(grads[k].pow(batchHeld.Of(2)), alpha: batchHeld.Of(pc));
            }
        }
        foreach (var f in fisher.Values) f.div_(held.Of(Math.Max(1, batches)));
        return fisher;
    }

    /// <summary>
    /// The reference's `get_mean_var`, for one parameter p with Fisher f: var = 1 / (f + 1e-8) clamped at 1e3 (at 1e2 when
    /// p's first dimension is the number of classes); times α; for p with more than one dimension, its mean over
    /// dimension 1, broadcast back; times 10 when p's first dimension is the number of classes (the last layer) or p
    /// has one dimension (biases, batch norm).
    /// </summary>
    public static Tensor Variance(Tensor p, Tensor f, double alpha, int classes)
    {
        bool lastLayer = p.shape[0] == classes;
        using var held = new HeldScalars();
        // 1 / (f + 1e-8) as TorchSharp's operators compute it: (f + 1e-8)⁻¹ · 1
        var v = f.add(held.Of(1e-8), held.Of(1)).reciprocal().mul(held.Of(1.0)).clamp_max(held.Of(1e3));
        if (lastLayer) v = v.clamp_max(held.Of(1e2));
        v = v.mul(held.Of(alpha));
        if (p.dim() > 1) v = v.mean(new long[] { 1 }, keepdim: true).expand_as(p);
        if (lastLayer || p.dim() == 1) v = v.mul(held.Of(10));
        return v;
    }

    /// <summary>θ ← θ₀ + √var · 𝒩(0, 1), the noise drawn parameter by parameter (in named order) from a generator seeded with <paramref name="seed"/>.</summary>
    public static void Perturb(nn.Module<Tensor, Tensor> model, Dictionary<string, Tensor> fisher, double alpha, int classes, int seed)
    {
        var gen = new Generator((ulong)seed);
        using var _ = no_grad();
        using var held = new HeldScalars();
        foreach (var (name, p) in model.named_parameters())
        {
            using var scope = NewDisposeScope();
            var variance = Variance(p, fisher[name], alpha, classes);
            var noise = randn(p.shape, dtype: p.dtype, generator: gen).to(p.device);
            p.add_(PortableMath.Sqrt(variance) * noise, held.Of(1)); // LibTorch's √ follows the CPU vendor (PortableMath)
        }
    }
}
