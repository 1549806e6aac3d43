using FluentAssertions;
using Harness.Scoring;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Scoring;

/// <summary>
/// The kernel pass's products: the same bits from the scalar reference, the 256-bit and the 512-bit paths and from 1 or
/// 2 threads, on random and adversarial inputs; each element the FMA chain over k in order; within float rounding of
/// LibTorch's matmul.
/// </summary>
public unsafe class FmaGemmTests
{
    /// <summary>What the inputs stress: plain normals; sums that cancel to nearly nothing; subnormal products; values near the float range's top (some chains overflow to ±∞).</summary>
    public enum Inputs { Random, Cancellation, Subnormal, Large }

    static float[] Make(Inputs kind, int n, int d, int seed)
    {
        var rng = new Random(seed);
        var m = new float[n * d];
        for (int i = 0; i < m.Length; i++)
        {
            double g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            m[i] = kind switch
            {
                Inputs.Random => (float)g,
                // alternating huge terms of opposite sign around a small remainder: every chain cancels catastrophically
                Inputs.Cancellation => (float)((i % 2 == 0 ? 1e4 : -1e4) * (1 + 1e-3 * g)),
                Inputs.Subnormal => (float)(g * 1e-22), // products near 1e-44: subnormal floats
                _ => (float)(g * 1e19),                  // products near 1e38: the top of the range, past it for some sums
            };
        }
        return m;
    }

    static float[] Products(float[] a, int n, float[] b, int m, int d, int rowStart, int rows, int colStart, int cols, FmaWidth width, int threads)
    {
        var c = new float[rows * cols];
        fixed (float* pa = a, pb = b, pc = c)
        {
            using var A = new PackedRows(pa, n, d);
            using var B = new PackedRows(pb, m, d);
            FmaGemm.Products(A, rowStart, rows, B, colStart, cols, pc, cols, threads, width);
        }
        return c;
    }

    static IEnumerable<FmaWidth> Widths() => Enum.GetValues<FmaWidth>().Where(FmaGemm.Supported);

    [Test]
    public void EveryWidthAndThreadCountGivesTheSameBits([Values] Inputs kind, [Values(1, 37, 784)] int d)
    {
        const int n = 77, m = 131;
        var a = Make(kind, n, d, 1);
        var b = Make(kind, m, d, 2);
        // a block that starts and ends off the tile grid on both sides, as the pass's blocks do
        int rowStart = 3, rows = 70, colStart = 5, cols = 120;
        var reference = Products(a, n, b, m, d, rowStart, rows, colStart, cols, FmaWidth.Scalar, 1);
        TestContext.Out.WriteLine($"widths on this CPU: {string.Join(", ", Widths())}");
        foreach (var width in Widths())
            foreach (int threads in new[] { 1, 2 })
            {
                var c = Products(a, n, b, m, d, rowStart, rows, colStart, cols, width, threads);
                for (int i = 0; i < c.Length; i++)
                    BitConverter.SingleToInt32Bits(c[i]).Should().Be(BitConverter.SingleToInt32Bits(reference[i]),
                        $"{width}, {threads} thread(s), element ({i / cols}, {i % cols}): {c[i]:R} vs {reference[i]:R}");
            }
    }

    [Test]
    public void EachElementIsTheFmaChainOverKInOrder([Values] Inputs kind)
    {
        const int n = 19, m = 45, d = 300;
        var a = Make(kind, n, d, 3);
        var b = Make(kind, m, d, 4);
        var c = Products(a, n, b, m, d, 0, n, 0, m, FmaGemm.Widest, 2);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                float acc = 0f;
                for (int k = 0; k < d; k++) acc = MathF.FusedMultiplyAdd(a[i * d + k], b[j * d + k], acc);
                BitConverter.SingleToInt32Bits(c[i * m + j]).Should().Be(BitConverter.SingleToInt32Bits(acc), $"element ({i}, {j})");
            }
        if (kind == Inputs.Subnormal) c.Count(v => v != 0 && Math.Abs(v) < 1.1754944e-38f).Should().BeGreaterThan(0, "the subnormal case has subnormal results");
        if (kind == Inputs.Large) c.Count(float.IsInfinity).Should().BeGreaterThan(0, "the large case has overflowing sums");
    }

    [Test]
    public void AgreesWithLibTorchToFloatRounding()
    {
        const int n = 200, m = 333, d = 784;
        var a = Make(Inputs.Random, n, d, 5);
        var b = Make(Inputs.Random, m, d, 6);
        var c = Products(a, n, b, m, d, 0, n, 0, m, FmaGemm.Widest, 2);
        using var ta = tensor(a).view(n, d);
        using var tb = tensor(b).view(m, d);
        var torchC = ta.matmul(tb.t()).contiguous().data<float>().ToArray();
        double worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                // both are float32 sums of d products: each within d·u·Σ|a_k b_k| of the exact sum (u = 2⁻²⁴)
                double magnitude = 0;
                for (int k = 0; k < d; k++) magnitude += Math.Abs((double)a[i * d + k] * b[j * d + k]);
                double bound = 2 * d * Math.Pow(2, -24) * magnitude;
                double diff = Math.Abs((double)c[i * m + j] - torchC[i * m + j]);
                diff.Should().BeLessThanOrEqualTo(bound, $"element ({i}, {j})");
                worst = Math.Max(worst, diff / magnitude);
            }
        TestContext.Out.WriteLine($"largest |ours − LibTorch| / Σ|a b|: {worst:E2} (bound {2 * d * Math.Pow(2, -24):E2})");
    }

    [Test]
    public void BadShapesAreRefused()
    {
        var a = new float[4 * 3];
        var b = new float[5 * 2];
        var c = new float[20];
        var act = () =>
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                using var A = new PackedRows(pa, 4, 3);
                using var B = new PackedRows(pb, 5, 2);
                FmaGemm.Products(A, 0, 4, B, 0, 5, pc, 5, 1);
            }
        };
        act.Should().Throw<ArgumentException>().WithMessage("*inner dimensions differ*");
    }
}
