using System.Runtime.Intrinsics;
using FluentAssertions;
using Harness.Scoring;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

/// <summary>
/// The kernel pass's own loops give the same bits at 256 and 512 bits (its products: <see cref="FmaGemmTests"/>; κ: <see cref="FusedRbfBlockTests"/>): the
/// row statistics whose sums use 32 lanes of partial sums folded in one order at either width.
/// </summary>
public unsafe class VectorWidthTests
{
    [SetUp]
    public void NeedsAvx512()
    {
        if (!Vector512.IsHardwareAccelerated) Assert.Ignore("this CPU has no 512-bit vectors: only the 256-bit path runs here");
    }

    static float[] Normals(int count, int seed, double scale, double shift = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(shift + scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()))).ToArray();
    }

    [TestCase(5003, 3, 50, "spread")]    // uneven pieces, chunk tails of every length
    [TestCase(54000, 43, 700, "spread")] // MNIST's row: 43 pieces as the pass sees them
    [TestCase(54000, 43, 700, "run")]    // the largest in one run across pieces: candidates in every vector of it
    [TestCase(5003, 3, 50, "ties")]      // the K-th value shared by many entries: ties broken by the smaller column
    public void RowStatisticsAreTheSameAtBothWidths(int n, int pieces, int k, string layout)
    {
        var values = Normals(n, n, 3.0, 1.5);
        values[17] = values[18] = 40f; // a tie among the largest
        if (layout == "run") for (int j = 20_000; j < 21_500; j++) values[j] = 30f + (j % 97) * 0.01f;
        if (layout == "ties") for (int j = 3; j < n; j += 37) values[j] = 12f;
        (double, double, double, double, int[], float[]) Run(bool wide)
        {
            var copy = (float[])values.Clone();
            var index = new int[k];
            var value = new float[k];
            fixed (float* p = copy)
            {
                var reducer = new RowReduction(n, k, includeDiagonal: false, wide: wide);
                var row = reducer.Pieces(pieces);
                for (int q = 0; q < pieces; q++)
                {
                    int start = (int)((long)q * n / pieces), end = (int)((long)(q + 1) * n / pieces);
                    row.Starts[q] = start; row.Lengths[q] = end - start; row.Pointers[q] = (nint)(p + start);
                }
                var (sum, mean, sd, lse) = reducer.Reduce(row, diagonal: 5, index, value);
                return (sum, mean, sd, lse, index, value);
            }
        }
        var narrow = Run(wide: false);
        var wide = Run(wide: true);
        BitConverter.DoubleToInt64Bits(wide.Item1).Should().Be(BitConverter.DoubleToInt64Bits(narrow.Item1), "the row sum");
        BitConverter.DoubleToInt64Bits(wide.Item2).Should().Be(BitConverter.DoubleToInt64Bits(narrow.Item2), "the mean");
        BitConverter.DoubleToInt64Bits(wide.Item3).Should().Be(BitConverter.DoubleToInt64Bits(narrow.Item3), "the sd");
        BitConverter.DoubleToInt64Bits(wide.Item4).Should().Be(BitConverter.DoubleToInt64Bits(narrow.Item4), "log MSKSD");
        wide.Item5.Should().Equal(narrow.Item5, "the neighbours");
        wide.Item6.Should().Equal(narrow.Item6, "their κ");
    }
}
