using FluentAssertions;
using Harness.Unlearning;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Tests.Unlearning;

/// <summary>
/// Fisher forgetting against an independent, direct computation (docs/method.md, the reference's `hessian`, `get_mean_var`,
/// `fisher_new`) on a tiny two-layer network whose gradients are written out by hand in double precision. The network is
/// built so that every rule shows: an input that is always 0 and a hidden unit that never fires give F = 0 (so the clamps at
/// 1e3 and, for the last layer, 1e2 bite), the hidden layer has more than one dimension and not the class count (mean over
/// dimension 1, no ×10), its bias is one-dimensional (×10), the head's weight has the class count first (clamp 1e2,
/// mean, ×10) and its bias is both (×10 once).
/// </summary>
public class FisherTests
{
    const int D = 4, H = 6, C = 3, N = 70, Batch = 32;
    const double Alpha = 3e-3;

    static (nn.Module<Tensor, Tensor> Model, Tensor X, Tensor Y) Tiny()
    {
        manual_seed(11);
        var model = nn.Sequential(("hidden", nn.Linear(D, H)), ("relu", nn.ReLU()), ("head", nn.Linear(H, C)));
        using (no_grad())
        {
            var bias = model.named_parameters().Single(p => p.name == "hidden.bias").parameter;
            bias[H - 1] = tensor(-100f); // hidden unit H-1 never fires
        }
        var gen = new Generator(5);
        var x = randn(new long[] { N, D }, generator: gen);
        x.index_put_(tensor(0f), TensorIndex.Colon, TensorIndex.Single(D - 1)); // input D-1 is always 0
        var y = randint(0, C, new long[] { N }, generator: gen);
        return (model, x, y);
    }

    static double[] Values(Tensor t) => t.to(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>F by hand: per batch, per class c, the gradient of the mean loss with every target c, squared, weighted by mean p_c.</summary>
    static Dictionary<string, double[]> DirectFisher(Dictionary<string, double[]> w, double[] x)
    {
        var f = new Dictionary<string, double[]> { ["hidden.weight"] = new double[H * D], ["hidden.bias"] = new double[H], ["head.weight"] = new double[C * H], ["head.bias"] = new double[C] };
        int batches = 0;
        for (int start = 0; start < N; start += Batch, batches++)
        {
            int count = Math.Min(Batch, N - start);
            var pre = new double[count, H]; var h = new double[count, H]; var p = new double[count, C];
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < H; j++)
                {
                    double s = w["hidden.bias"][j];
                    for (int k = 0; k < D; k++) s += w["hidden.weight"][j * D + k] * x[(start + i) * D + k];
                    pre[i, j] = s; h[i, j] = Math.Max(0, s);
                }
                var z = new double[C];
                for (int c = 0; c < C; c++) { z[c] = w["head.bias"][c]; for (int j = 0; j < H; j++) z[c] += w["head.weight"][c * H + j] * h[i, j]; }
                double m = z.Max(), sum = z.Sum(v => Math.Exp(v - m));
                for (int c = 0; c < C; c++) p[i, c] = Math.Exp(z[c] - m) / sum;
            }
            for (int target = 0; target < C; target++)
            {
                var g = f.ToDictionary(kv => kv.Key, kv => new double[kv.Value.Length]);
                double meanP = 0;
                for (int i = 0; i < count; i++)
                {
                    meanP += p[i, target] / count;
                    var dz = new double[C];
                    for (int c = 0; c < C; c++) dz[c] = (p[i, c] - (c == target ? 1 : 0)) / count; // d mean-CE / dz
                    for (int c = 0; c < C; c++)
                    {
                        g["head.bias"][c] += dz[c];
                        for (int j = 0; j < H; j++) g["head.weight"][c * H + j] += dz[c] * h[i, j];
                    }
                    for (int j = 0; j < H; j++)
                    {
                        if (pre[i, j] <= 0) continue;
                        double dh = 0;
                        for (int c = 0; c < C; c++) dh += w["head.weight"][c * H + j] * dz[c];
                        g["hidden.bias"][j] += dh;
                        for (int k = 0; k < D; k++) g["hidden.weight"][j * D + k] += dh * x[(start + i) * D + k];
                    }
                }
                foreach (var (name, grad) in g)
                    for (int e = 0; e < grad.Length; e++) f[name][e] += meanP * grad[e] * grad[e];
            }
        }
        foreach (var v in f.Values) for (int e = 0; e < v.Length; e++) v[e] /= batches;
        return f;
    }

    /// <summary>The variance rules of docs/method.md, one by one, for a parameter of the given shape.</summary>
    static double[] DirectVariance(double[] fisher, long[] shape)
    {
        bool lastLayer = shape[0] == C;
        var v = fisher.Select(f => Math.Min(1.0 / (f + 1e-8), 1e3)).ToArray();                 // 2. clamp at 1e3
        if (lastLayer) v = v.Select(x => Math.Min(x, 1e2)).ToArray();                          //    the last layer at 1e2
        v = v.Select(x => x * Alpha).ToArray();                                                // 3. times α
        if (shape.Length > 1)                                                                  // 4. mean over dimension 1
        {
            long rows = shape[0], cols = shape[1];
            for (long r = 0; r < rows; r++)
            {
                double mean = 0;
                for (long col = 0; col < cols; col++) mean += v[r * cols + col] / cols;
                for (long col = 0; col < cols; col++) v[r * cols + col] = mean;
            }
        }
        if (lastLayer || shape.Length == 1) v = v.Select(x => x * 10).ToArray();               // 5. ×10 (once)
        return v;
    }

    [Test]
    public void FisherVarianceAndNoiseMatchADirectComputation()
    {
        var (model, x, y) = Tiny();
        var w = model.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));
        var direct = DirectFisher(w, Values(x));
        direct["hidden.weight"][0 * D + (D - 1)].Should().Be(0, "an input that is always 0 gets no Fisher");
        direct["head.weight"][0 * H + (H - 1)].Should().Be(0, "a hidden unit that never fires gets no Fisher");

        var fisher = FisherForgetting.DiagonalFisher(model, x, y, C, Batch);
        foreach (var (name, expected) in direct)
        {
            var got = Values(fisher[name]);
            for (int e = 0; e < expected.Length; e++)
                got[e].Should().BeApproximately(expected[e], 1e-5 * Math.Max(Math.Abs(expected[e]), 1e-6), $"F[{name}][{e}]");
        }

        var before = model.named_parameters().ToDictionary(p => p.name, p => Values(p.parameter));
        FisherForgetting.Perturb(model, fisher, Alpha, C, seed: 7);
        var gen = new Generator(7);
        foreach (var (name, p) in model.named_parameters())
        {
            var variance = DirectVariance(direct[name], p.shape);
            var noise = Values(randn(p.shape, dtype: p.dtype, generator: gen));
            var after = Values(p);
            for (int e = 0; e < after.Length; e++)
            {
                double expected = before[name][e] + Math.Sqrt(variance[e]) * noise[e];
                after[e].Should().BeApproximately(expected, 1e-4 * Math.Max(Math.Abs(expected), 1e-3), $"θ[{name}][{e}]");
            }
        }
        // The rules leave their marks: clamped entries, rows averaged, the ×10.
        DirectVariance(direct["head.bias"], new long[] { C }).Should().OnlyContain(v => v > 0);
        DirectVariance(direct["hidden.weight"], new long[] { H, D }).Chunk(D).Should().OnlyContain(row => row.Distinct().Count() == 1);
    }

    [Test]
    public void VarianceRulesForEachKindOfParameter()
    {
        var f = zeros(new long[] { C, H }); // F = 0: 1/(F + 1e-8) = 1e8, clamped
        Values(FisherForgetting.Variance(zeros(new long[] { C, H }), f, 1.0, C)).Should().OnlyContain(v => Math.Abs(v - 1e3) < 1e-3, "last layer: clamp 1e2, ×10");
        Values(FisherForgetting.Variance(zeros(new long[] { H, D }), zeros(new long[] { H, D }), 1.0, C)).Should().OnlyContain(v => Math.Abs(v - 1e3) < 1e-3, "hidden: clamp 1e3, no ×10");
        Values(FisherForgetting.Variance(zeros(new long[] { H }), zeros(new long[] { H }), 1.0, C)).Should().OnlyContain(v => Math.Abs(v - 1e4) < 1e-2, "1-D: clamp 1e3, ×10");
        Values(FisherForgetting.Variance(zeros(new long[] { C }), zeros(new long[] { C }), 1.0, C)).Should().OnlyContain(v => Math.Abs(v - 1e3) < 1e-3, "last-layer bias: clamp 1e2, ×10 once");
        var uneven = tensor(new float[] { 1, 3, 0.5f, 0.25f }).reshape(2, 2); // 1/F: 1, 1/3 | 2, 4 → row means 2/3, 3
        Values(FisherForgetting.Variance(zeros(2, 2), uneven, 1.0, C)).Should().BeEquivalentTo(new[] { 2 / 3.0, 2 / 3.0, 3, 3 }, o => o.WithStrictOrdering().Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6)).WhenTypeIs<double>());
    }
}
