using System.Runtime.Intrinsics;
using FluentAssertions;
using Harness.Scoring;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

/// <summary>The pieces of the symmetric pass on their own: the float32 exp, the spill file and the row reduction.</summary>
public unsafe class KernelPartsTests
{
    [Test]
    public void FastExpIsWithin3e7OfExpAcrossTheFloatRange()
    {
        double worst = 0;
        for (double x = -87.3; x <= 88.7; x += 0.001)
        {
            float xf = (float)x;
            double exact = Math.Exp(xf);
            double narrow = FastExp.Exp(Vector256.Create(xf)).ToScalar();
            double wide = FastExp.Exp(Vector512.Create(xf)).ToScalar();
            worst = Math.Max(worst, Math.Max(Math.Abs(narrow / exact - 1), Math.Abs(wide / exact - 1)));
        }
        TestContext.Out.WriteLine($"largest relative error {worst:E2}");
        worst.Should().BeLessThan(3e-7);
        FastExp.Exp(-87.4f).Should().Be(0, "below ln(FLT_MIN) the result is 0, not a denormal or garbage");
        FastExp.Exp(-1000f).Should().Be(0);
        float.IsNaN(FastExp.Exp(float.NaN)).Should().BeTrue("a NaN κ must stay visible, not become a number");
        float.IsNaN(FastExp.Exp(Vector512.Create(float.NaN)).ToScalar()).Should().BeTrue();
        FastExp.Exp(0f).Should().Be(1);
    }

    [TestCase(7, 128)]
    [TestCase(3, 5)]
    public void TheSpillReturnsEachRegionAsWritten(int blocks, int block)
    {
        int n = (blocks - 1) * block + block / 2 + 1; // a short last block
        var dir = TestSupport.TempDir("spill");
        using (var spill = new KernelSpill(dir, n, block))
        {
            TestContext.Out.WriteLine($"{spill.Bytes} bytes, direct {spill.Direct}");
            spill.Bytes.Should().Be(Enumerable.Range(1, blocks - 1).Sum(j => (long)j * Math.Min(block, n - j * block) * block) * sizeof(float));
            using var buffer = new AlignedBuffer((long)block * n);
            for (int i = 0; i < blocks - 1; i++)
                for (int j = i + 1; j < blocks; j++)
                {
                    int rows = Math.Min(block, n - j * block);
                    for (int e = 0; e < rows * block; e++) buffer.Pointer[e] = i * 1000 + j + e * 1e-3f;
                    spill.WriteChunk(i, j, buffer.Pointer);
                }
            for (int j = 1; j < blocks; j++)
            {
                int rows = Math.Min(block, n - j * block);
                spill.ReadRegion(j, buffer.Pointer);
                for (int i = 0; i < j; i++)
                    for (int e = 0; e < rows * block; e++)
                        buffer.Pointer[(long)i * rows * block + e].Should().Be(i * 1000 + j + e * 1e-3f);
                // a run of chunks that does not start at the region's start lands at its place in the layout
                new Span<float>(buffer.Pointer, j * rows * block).Clear();
                spill.ReadChunks(j, j - 1, 1, buffer.Pointer);
                for (int e = 0; e < rows * block; e++)
                    buffer.Pointer[(long)(j - 1) * rows * block + e].Should().Be((j - 1) * 1000 + j + e * 1e-3f);
                if (j > 1) buffer.Pointer[0].Should().Be(0, "chunks before the run are not read");
                spill.Release(j);
            }
        }
        Directory.GetFiles(dir).Should().BeEmpty("the spill deletes itself");
        Directory.Delete(dir, true);
    }

    [Test]
    public void AFailedSpillTransferIsAClearError()
    {
        var dir = TestSupport.TempDir("spill");
        using (var spill = new KernelSpill(dir, 300, 128))
        using (var buffer = new AlignedBuffer(128L * 300))
        {
            var act = () => spill.ReadRegion(1, buffer.Pointer); // nothing written yet: the file ends early
            act.Should().Throw<HarnessException>().WithMessage($"the kernel spill in {dir} failed: the file ended early at byte 0.*--scratch*spill: off*");
        }
        Directory.Delete(dir, true);
    }

    static (int[] Index, float[] Value) Reference(float[] row, int diagonal, int k) =>
        (row.Select((v, j) => (v, j)).Where(p => p.j != diagonal).OrderByDescending(p => p.v).ThenBy(p => p.j).Take(k).Select(p => p.j).ToArray(),
         row.Select((v, j) => (v, j)).Where(p => p.j != diagonal).OrderByDescending(p => p.v).ThenBy(p => p.j).Take(k).Select(p => p.v).ToArray());

    static (int[], float[], double Lse) Reduce(float[] values, int diagonal, int k, int pieces = 3)
    {
        int n = values.Length;
        var copy = (float[])values.Clone();
        var index = new int[k];
        var value = new float[k];
        fixed (float* p = copy)
        {
            // the row in uneven pieces, as mirror chunks and the block's own columns arrive
            var starts = Enumerable.Range(0, pieces).Select(q => q * n / pieces).ToArray();
            var reducer = new RowReduction(n, k, includeDiagonal: false);
            var row = reducer.Pieces(pieces);
            for (int q = 0; q < pieces; q++)
            {
                row.Starts[q] = starts[q];
                row.Lengths[q] = (q + 1 < pieces ? starts[q + 1] : n) - starts[q];
                row.Pointers[q] = (nint)(p + starts[q]);
            }
            var (_, _, _, lse) = reducer.Reduce(row, diagonal, index, value);
            copy.Should().Equal(values, "the reduction restores every entry it changed");
            return (index, value, lse);
        }
    }

    [Test]
    public void TopKTakesTheSmallerIndexAmongEqualValues()
    {
        var rng = new Random(3);
        var row = Enumerable.Range(0, 5000).Select(_ => (float)Math.Round(rng.NextDouble() * 20)).ToArray(); // many ties
        var (index, value, _) = Reduce(row, 17, 300);
        var (ri, rv) = Reference(row, 17, 300);
        index.Should().Equal(ri);
        value.Should().Equal(rv);
    }

    [Test]
    public void TopKLowersAThresholdThatKeepsTooFew()
    {
        // The strided sample sees only the row's largest values, so its first threshold keeps 21 of the 700 needed.
        int n = 54000, s = 1024;
        var row = new float[n];
        var rng = new Random(5);
        for (int j = 0; j < n; j++) row[j] = (float)rng.NextDouble();
        for (int q = 0; q < s; q++) row[(int)((long)q * n / s)] = 1000 + q;
        var (index, value, _) = Reduce(row, 1, 700);
        var (ri, rv) = Reference(row, 1, 700);
        index.Should().Equal(ri);
        value.Should().Equal(rv);
    }

    [Test]
    public void LogMsksdMatchesAFloat64Sum()
    {
        var rng = new Random(9);
        var row = Enumerable.Range(0, 3001).Select(_ => (float)(rng.NextDouble() * rng.NextDouble() * 40 - 3)).ToArray();
        var (_, _, lse) = Reduce(row, 42, 10);
        var kept = row.Where((_, j) => j != 42).Select(v => (double)v).ToArray();
        double mean = kept.Average(), sd = Math.Sqrt(kept.Sum(v => (v - mean) * (v - mean)) / kept.Length);
        double max = kept.Max(v => (v - mean) / sd);
        double expected = max + Math.Log(kept.Sum(v => Math.Exp((v - mean) / sd - max)));
        lse.Should().BeApproximately(expected, 1e-5 * Math.Abs(expected));
    }
}
