namespace Harness.Scoring;

/// <summary>
/// An n×d float32 matrix in the two panel layouts <see cref="FmaGemm"/> reads: 8-row panels for the rows it broadcasts
/// and 32-row panels for the rows it loads as vectors. Panel p of width w holds rows [p·w, p·w + w) k-major: element
/// (p·w + r, k) is at p·w·d + k·w + r, so one micro-kernel step reads w consecutive floats. Rows past n are zero; they
/// only ever meet the rows of edge tiles that are never stored. The rows come from a <see cref="RowSource"/>, so a
/// matrix that is a function of others (U = s − x/h²) is packed without ever existing whole.
/// </summary>
public sealed unsafe class PackedRows : IDisposable
{
    public const int NarrowWidth = 8, WideWidth = 32;

    /// <summary>Writes row <paramref name="row"/>'s d values to <paramref name="destination"/>; called once per row, from several threads.</summary>
    public delegate void RowSource(int row, float* destination);

    readonly AlignedBuffer narrow, wide;

    public int N { get; }
    public int D { get; }
    /// <summary>8-row panels (the broadcast side of a product).</summary>
    public float* Narrow => narrow.Pointer;
    /// <summary>32-row panels (the vector side).</summary>
    public float* Wide => wide.Pointer;

    /// <summary>Packs an n×d row-major, contiguous matrix.</summary>
    public PackedRows(float* x, int n, int d)
        : this(n, d, (row, destination) => Buffer.MemoryCopy(x + (long)row * d, destination, (long)d * sizeof(float), (long)d * sizeof(float))) { }

    public PackedRows(int n, int d, RowSource rows)
    {
        N = n; D = d;
        long panels = (n + WideWidth - 1) / WideWidth;
        // huge pages where the kernel gives them: far fewer page faults on first touch, and TLB reach for the products
        narrow = new AlignedBuffer(panels * WideWidth * d);
        wide = new AlignedBuffer(panels * WideWidth * d);
        float* narrowBase = narrow.Pointer, wideBase = wide.Pointer;
        // one 32-row panel at a time: its rows into a scratch block (in L2), then transposed into the wide panel and the
        // four narrow panels it spans, 64 values of k at a time so the part being written stays in L1
        Parallel.For(0, panels, () => new AlignedBuffer((long)WideWidth * d), (p, _, scratch) =>
        {
            float* block = scratch.Pointer;
            for (int r = 0; r < WideWidth; r++)
            {
                long row = p * WideWidth + r;
                if (row < n) rows((int)row, block + (long)r * d);
                else new Span<float>(block + (long)r * d, d).Clear();
            }
            float* widePanel = wideBase + p * WideWidth * d;
            for (int k0 = 0; k0 < d; k0 += 64)
            {
                int k1 = Math.Min(d, k0 + 64);
                for (int r = 0; r < WideWidth; r++)
                {
                    float* src = block + (long)r * d;
                    float* narrowPanel = narrowBase + (p * WideWidth + r / NarrowWidth * NarrowWidth) * d;
                    int nr = r % NarrowWidth;
                    for (int k = k0; k < k1; k++)
                    {
                        widePanel[(long)k * WideWidth + r] = src[k];
                        narrowPanel[(long)k * NarrowWidth + nr] = src[k];
                    }
                }
            }
            return scratch;
        }, scratch => scratch.Dispose());
    }

    /// <summary>The k = 0 element of the 8-row panel holding row <paramref name="row"/> (a multiple of 8).</summary>
    public float* NarrowPanel(int row) => Narrow + (long)row * D;
    /// <summary>The k = 0 element of the 32-row panel holding row <paramref name="row"/> (a multiple of 32).</summary>
    public float* WidePanel(int row) => Wide + (long)row * D;

    public void Dispose()
    {
        narrow.Dispose();
        wide.Dispose();
    }
}
