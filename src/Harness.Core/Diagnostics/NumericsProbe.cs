using System.Security.Cryptography;
using System.Runtime.InteropServices;
using Harness.Numerics;
using Harness.Models;
using Harness.Training;
using Harness.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Diagnostics;

/// <summary>
/// Hashes of small fixed computations, one for each kind of kernel the results depend on (MKL GEMMs, oneDNN convolutions,
/// ATen's vectorised maths and reductions, the optimiser, LibTorch's random numbers, .NET's and the harness's own maths).
/// Two machines of different numerics classes give different results (<see cref="NumericsClass"/>); comparing their
/// probes (`harness numerics`, one JSON per class under results/numerics/) names the kernels that differ. Inputs are
/// exact small binary fractions made in C#, so they are the same bits everywhere; only the computation can differ.
/// </summary>
public static class NumericsProbe
{
    /// <summary>Hashes: one per probe. Inexact: for operations IEEE 754 rounds correctly (√, ÷), how many of the outputs are not the correctly rounded value.</summary>
    public sealed record Report(string NumericsClass, string Machine, string Numerics, int Threads, string TorchSharp, string LibTorch,
        SortedDictionary<string, string> Hashes, SortedDictionary<string, int> Inexact);

    public static Report Run(int threads)
    {
        Training.Devices.PinThreads(threads);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var inexact = new SortedDictionary<string, int>(StringComparer.Ordinal);
        // LibTorch hands large unary ops to MKL's vector maths (VML), whose code path depends on the CPU; √ and ÷ have one
        // correct answer, so the count of other answers says whether a path approximates
        void Exactness(string name, Tensor output, Tensor a, Tensor? b, Func<double, double, double> op)
        {
            Put(name, output);
            var o = output.contiguous().data<float>().ToArray();
            var x = a.contiguous().data<float>().ToArray();
            var y = b?.contiguous().data<float>().ToArray();
            int wrong = 0;
            for (int i = 0; i < o.Length; i++) if (o[i] != (float)op(x[i], y == null ? 0 : y[i])) wrong++;
            inexact[name] = wrong;
        }
        void Put(string name, params Tensor[] outputs) => hashes[name] = Hash(outputs);
        using (var scope = NewDisposeScope())
        using (var held = new HeldScalars())
        {
            var a = Exact(150, 512, 1); var b = Exact(512, 10, 2);
            Put("mkl mm 150x512 · 512x10 (linear layer)", a.mm(b));
            var x = Exact(512, 794, 3); var y = Exact(2048, 794, 4);
            Put("mkl mm 512x794 · 794x2048ᵀ (kernel pass)", x.mm(y.t()));
            Put("mkl addmm beta 1 alpha -2 (distances)", addmm(Exact(1, 2048, 5), x, y.t(), beta: 1, alpha: -2));

            // each layer forward and backward on fixed inputs and a fixed upstream gradient, so a probe shows its own kernel
            void Conv(string name, Tensor input, Tensor weight, Tensor bias, int gradSeed)
            {
                input.requires_grad_(); weight.requires_grad_(); bias.requires_grad_();
                var output = nn.functional.conv2d(input, weight, bias);
                Put($"onednn conv {name} forward", output);
                output.backward(new[] { Exact((int)output.shape[0], (int)(output.numel() / output.shape[0]), gradSeed).view(output.shape) });
                Put($"onednn conv {name} backward weights", weight.grad!, bias.grad!);
                Put($"onednn conv {name} backward data", input.grad!);
            }
            Conv("1→16 5x5", Exact(150, 784, 6).view(150, 1, 28, 28), Exact(16, 25, 7).view(16, 1, 5, 5).mul(held.Of(0.25)), Exact(1, 16, 8).view(16), 14);
            Conv("16→32 5x5", Exact(150, 16 * 12 * 12, 15).view(150, 16, 12, 12), Exact(32, 400, 9).view(32, 16, 5, 5).mul(held.Of(0.0625)), Exact(1, 32, 10).view(32), 16);

            var r = Exact(150, 16 * 24 * 24, 17).view(150, 16, 24, 24).requires_grad_();
            var pooled = nn.functional.max_pool2d(nn.functional.relu(r), 2);
            Put("relu + max_pool forward", pooled);
            pooled.backward(new[] { Exact(150, 16 * 12 * 12, 18).view(pooled.shape) });
            Put("relu + max_pool backward", r.grad!);

            var feat = Exact(150, 512, 19).requires_grad_();
            var wl = Exact(10, 512, 11).mul(held.Of(0.0625)).requires_grad_();
            var bl = Exact(1, 10, 20).view(10).requires_grad_();
            var lin = nn.functional.linear(feat, wl, bl);
            Put("mkl linear forward 150x512 → 10", lin);
            lin.backward(new[] { Exact(150, 10, 21) });
            Put("mkl linear backward (weight, bias grads)", wl.grad!, bl.grad!);
            Put("mkl linear backward (input grad)", feat.grad!);

            var logits = Exact(150, 10, 22).mul(held.Of(4)).requires_grad_();
            var labels = arange(held.Of(0), held.Of(150), held.Of(1), ScalarType.Int64).remainder(held.Of(10));
            var lsm = nn.functional.log_softmax(logits, 1);
            Put("aten log_softmax forward", lsm);
            var loss = nn.functional.nll_loss(lsm, labels);
            Put("aten nll_loss forward (mean)", loss);
            loss.backward();
            Put("aten log_softmax + nll_loss backward", logits.grad!);

            var v = Exact(1, 100_000, 12).view(-1);
            Put("aten exp", v.exp());
            Put("aten log", v.abs().add(held.Of(0.5), held.Of(1)).log());
            var pos = v.abs().add(held.Of(0.25), held.Of(1));
            Exactness("aten sqrt (100,000 values)", pos.sqrt(), pos, null, (p, _) => Math.Sqrt(p));
            var few = pos.narrow(0, 0, 1000).clone();
            Exactness("aten sqrt (1,000 values)", few.sqrt(), few, null, (p, _) => Math.Sqrt(p));
            Exactness("aten pow 0.5 (100,000 values)", pos.pow(held.Of(0.5)), pos, null, (p, _) => Math.Sqrt(p));
            var den = v.abs().add(held.Of(1), held.Of(1));
            Exactness("aten div (100,000 values)", v.div(den), v, den, (p, q) => p / q);
            Put("aten tanh, sigmoid", v.tanh(), v.sigmoid());
            Put("aten sum of 100,000 (float32)", v.sum());
            Put("aten softmax float64", nn.functional.softmax(v.view(1000, 100).to(ScalarType.Float64), 1));
            Exactness("harness PortableMath.Sqrt (100,000 values)", PortableMath.Sqrt(pos), pos, null, (p, _) => Math.Sqrt(p));
            var adamParam = Exact(1, 1000, 23).view(-1).requires_grad_();
            // TorchSharp's Adam, step for step (PortableAdam with LibTorch's √; PortableMathTests): its own step passes Scalars
            // nothing holds (HeldScalars)
            var adam = new Training.PortableAdam(new[] { new TorchSharp.Modules.Parameter(adamParam.detach().clone()) }, 0.001, 0, sqrt: t => t.sqrt());
            foreach (var p in adam.parameters())
                for (int step = 0; step < 3; step++)
                {
                    adam.zero_grad();
                    p.grad = Exact(1, 1000, 24 + step).view(-1);
                    adam.step();
                }
            Put("adam 3 steps on fixed gradients", adam.parameters().ToArray());

            manual_seed(0);
            Put("libtorch randn (seed 0)", randn(10_000));
            manual_seed(0);
            Put("libtorch randperm (seed 0)", randperm(10_000));
            foreach (var (name, portable) in new[] { ("torchsharp adam", false), ("harness adam (PortableAdam, what training uses)", true) })
            {
                manual_seed(0);
                using var model = new Models.Cnn2();
                if (!portable) Put("cnn2 initial weights (seed 0)", model.parameters().ToArray());
                using var opt = portable ? Training.Optimizers.Create(Training.Optimizer.Adam, model.parameters(), 0.001, 0, 0)
                    : new Training.PortableAdam(model.parameters(), 0.001, 0, sqrt: t => t.sqrt()); // TorchSharp's Adam, as above
                var batch = Exact(150, 784, 13).abs().view(150, 1, 28, 28);
                var classes = arange(held.Of(0), held.Of(150), held.Of(1), ScalarType.Int64).remainder(held.Of(10));
                for (int step = 0; step < 3; step++)
                {
                    opt.zero_grad();
                    nn.functional.cross_entropy(model.forward(batch), classes).backward();
                    opt.step();
                }
                Put($"cnn2 after 3 {name} steps", model.parameters().ToArray());
            }
        }
        var xs = Enumerable.Range(0, 10_000).Select(i => (i - 5000) / 512.0).ToArray();
        hashes[".net Math.Exp, Math.Log (libm)"] = Hash(MemoryMarshal.AsBytes(xs.Select(Math.Exp).Concat(xs.Select(t => Math.Log(Math.Abs(t) + 0.5))).ToArray().AsSpan()));
        hashes["harness FastExp (256-bit)"] = Hash(MemoryMarshal.AsBytes(xs.Select(t => Scoring.FastExp.Exp((float)(t / 100))).ToArray().AsSpan()));
        return new Report(NumericsClass.Current, Machine.Describe(), CpuIsa.Describe(), threads, Versions.TorchSharp, Versions.LibTorch, hashes, inexact);
    }

    /// <summary>
    /// rows × cols float32 values k·2⁻²² − 2 for a seeded 24-bit integer sequence k: exactly representable, so the same bits
    /// everywhere, and with full mantissas, so sums round and a different summation order shows.
    /// </summary>
    static Tensor Exact(int rows, int cols, int seed)
    {
        var data = new float[rows * cols];
        uint s = (uint)seed * 2654435761u + 1;
        for (int i = 0; i < data.Length; i++) { s = s * 1664525u + 1013904223u; data[i] = (s >> 8) * (1f / (1 << 22)) - 2f; }
        return tensor(data, new long[] { rows, cols });
    }

    static string Hash(params Tensor[] tensors)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in tensors)
        {
            using var c = t.detach().contiguous().cpu();
            sha.AppendData(c.bytes);
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
}
