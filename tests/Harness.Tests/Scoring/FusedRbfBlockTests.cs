using System.Runtime.Intrinsics;
using FluentAssertions;
using Harness.Scoring;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

/// <summary>
/// The symmetric pass's κ, computed from X Xᵀ and U Uᵀ tiles with the elementwise half fused in, equals the formula
/// written out here on the full products, bit for bit, at every κ width (256/512 bits), every product width
/// (scalar/256/512 bits) and on one and two threads, for whole tiles and the block's edges, with its transpose for the spill.
/// </summary>
public unsafe class FusedRbfBlockTests
{
    static float[] Normals(int count, int seed, double scale, double shift = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(shift + scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
    }

    static IEnumerable<(bool Wide, FmaWidth Gemm, int Threads)> Paths()
    {
        foreach (bool wide in Vector512.IsHardwareAccelerated ? new[] { false, true } : new[] { false })
            foreach (var gemm in new[] { FmaWidth.Scalar, FmaWidth.Bits256, FmaWidth.Bits512 }.Where(FmaGemm.Supported))
                foreach (int threads in new[] { 1, 2 })
                    yield return (wide, gemm, threads);
    }

    [TestCase(300, 37, 0, 128)]   // whole tiles, the diagonal inside them, transposed tiles right of the block
    [TestCase(300, 37, 0, 100)]   // whole tiles across the block's right edge: part stored, part transposed
    [TestCase(517, 37, 40, 21)]   // a block off the tile grid: edge rows and columns on both sides, an odd tail
    [TestCase(200, 794, 192, 8)]  // the last block: no columns right of it, nothing transposed
    public void KappaIsTheFormulaOnTheProducts(int n, int d, int start, int count)
    {
        const double h = 3.1;
        var x = Normals(n * d, 1, 0.4);
        var u = Normals(n * d, 2, 0.7);
        for (int j = 0; j < d; j++) u[5 * d + j] = u[9 * d + j] = 0; // two points whose products cancel to exact zeros
        var sq = Enumerable.Range(0, n).Select(i => (float)Enumerable.Range(0, d).Sum(j => (double)x[i * d + j] * x[i * d + j])).ToArray();
        var r = Normals(n, 3, 1.5);
        int cols = n - start, right = cols - count;

        fixed (float* xp = x, up = u)
        {
            using var px = new PackedRows(xp, n, d);
            using var pu = new PackedRows(up, n, d);
            // the reference: the products whole, then κ entry by entry as docs/method.md writes it
            var xx = new float[count * cols];
            var uu = new float[count * cols];
            fixed (float* xxp = xx, uup = uu)
            {
                FmaGemm.Products(px, start, count, px, start, cols, xxp, cols, 1, FmaWidth.Scalar);
                FmaGemm.Products(pu, start, count, pu, start, cols, uup, cols, 1, FmaWidth.Scalar);
            }
            float negInv2h2 = (float)(-1 / (2 * h * h)), invH4 = (float)(1 / (h * h * h * h)), dOverH2 = (float)(d / (h * h));
            var expected = new float[count * cols];
            for (int row = 0; row < count; row++)
                for (int c = 0; c < cols; c++)
                {
                    int i = start + row, j = start + c, o = row * cols + c;
                    float ai = r[i] + dOverH2;
                    float k = i == j ? 1f : FastExp.Exp(Math.Max(sq[i] + sq[j] - 2 * xx[o], 0f) * negInv2h2);
                    expected[o] = k * (uu[o] + ai + r[j] + xx[o] * invH4);
                    if (i == j) expected[o] = uu[o] + ai + r[j] + xx[o] * invH4;
                }
            expected.Should().Contain(v => v != 0 && float.IsFinite(v), "the comparison has real values in it");

            foreach (var (wide, gemm, threads) in Paths())
            {
                var block = new FusedRbfBlock(h, d, sq, r, wide, gemm);
                var kappa = new float[count * cols];
                var transposed = new float[Math.Max(1, right * count)];
                fixed (float* kp = kappa, tp = transposed)
                    block.Compute(px, pu, start, count, kp, right > 0 ? tp : null, threads);
                string path = $"κ at {(wide ? 512 : 256)} bits, products {gemm}, {threads} thread(s)";
                kappa.Select(BitConverter.SingleToInt32Bits).Should().Equal(expected.Select(BitConverter.SingleToInt32Bits), path);
                for (int row = 0; row < count; row++)
                    for (int c = 0; c < right; c++)
                        if (BitConverter.SingleToInt32Bits(transposed[c * count + row]) != BitConverter.SingleToInt32Bits(expected[row * cols + count + c]))
                            Assert.Fail($"{path}: transposed entry of row {row}, column {count + c} differs");
            }
        }
    }
}
