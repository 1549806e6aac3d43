using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Harness.Scoring;

/// <summary>The vector width <see cref="FmaGemm"/> computes with; every width gives the same bits.</summary>
public enum FmaWidth { Scalar, Bits256, Bits512 }

/// <summary>
/// The products of the kernel pass, C = A Bᵀ for two row sets, computed by the harness's own FMA micro-kernels so that
/// the bits are the same on every x86-64 CPU: every element is one chain c ← fma(a_k, b_k, c) over k = 0 … d−1 from
/// c = +0, in that order. Vectors run across output columns only, never across k, and FMA is correctly rounded
/// everywhere, so the scalar, 256-bit and 512-bit paths, any blocking and any thread count give identical results.
/// The speed comes from the structure around the chain: 8×32 register tiles (16 zmm accumulators at 512 bits, four
/// 4×16 sub-tiles of 8 ymm at 256 bits), operands packed k-major (<see cref="PackedRows"/>), the vector side's panels
/// reused from L2 across every row tile of a column chunk, the broadcast side's panel from L1 across the chunk.
/// </summary>
public static unsafe class FmaGemm
{
    public const int TileRows = PackedRows.NarrowWidth, TileCols = PackedRows.WideWidth;
    /// <summary>Column tiles per chunk: the vector-side panels (4 × 32 × d floats, 400 KB at d = 784) that stay in L2.</summary>
    const int ChunkTiles = 4;

    /// <summary>The widest path this CPU runs (no ISA cap applies: the width does not change the bits).</summary>
    public static FmaWidth Widest => Avx512F.IsSupported ? FmaWidth.Bits512 : Fma.IsSupported ? FmaWidth.Bits256 : FmaWidth.Scalar;

    public static bool Supported(FmaWidth width) => width switch
    {
        FmaWidth.Bits512 => Avx512F.IsSupported,
        FmaWidth.Bits256 => Fma.IsSupported,
        _ => true,
    };

    /// <summary>
    /// c[(i − rowStart)·ldc + (j − colStart)] = Σ_k a(i, k)·b(j, k) for rows i ∈ [rowStart, rowStart + rows) of
    /// <paramref name="a"/> and j ∈ [colStart, colStart + cols) of <paramref name="b"/>, on up to
    /// <paramref name="threads"/> threads (split by column chunks).
    /// </summary>
    public static void Products(PackedRows a, int rowStart, int rows, PackedRows b, int colStart, int cols, float* c, long ldc,
        int threads, FmaWidth? width = null)
    {
        if (a.D != b.D) throw new ArgumentException($"inner dimensions differ: {a.D} vs {b.D}");
        if (rowStart < 0 || rows < 0 || rowStart + rows > a.N) throw new ArgumentOutOfRangeException(nameof(rows));
        if (colStart < 0 || cols < 0 || colStart + cols > b.N) throw new ArgumentOutOfRangeException(nameof(cols));
        var w = width ?? Widest;
        if (!Supported(w)) throw new PlatformNotSupportedException($"this CPU has no {w} FMA path");
        int d = a.D;
        int rowEnd = rowStart + rows, colEnd = colStart + cols;
        ForEachTile(rowStart, rows, colStart, cols, threads, ChunkTiles, TileRows * TileCols, (i0, j0, edge) =>
        {
            float* panelA = a.NarrowPanel(i0), panelB = b.WidePanel(j0);
            if (i0 >= rowStart && i0 + TileRows <= rowEnd && j0 >= colStart && j0 + TileCols <= colEnd)
            {
                Tile(w, panelA, panelB, d, c + (long)(i0 - rowStart) * ldc + (j0 - colStart), ldc);
                return;
            }
            // an edge tile: computed whole, stored only where it lies inside the requested block
            Tile(w, panelA, panelB, d, edge, TileCols);
            for (int r = Math.Max(i0, rowStart); r < Math.Min(i0 + TileRows, rowEnd); r++)
                for (int q = Math.Max(j0, colStart); q < Math.Min(j0 + TileCols, colEnd); q++)
                    c[(long)(r - rowStart) * ldc + (q - colStart)] = edge[(r - i0) * TileCols + (q - j0)];
        });
    }

    /// <summary>One tile of a product: its first row and column, and scratch of the size asked for (per thread, reused).</summary>
    public delegate void TileVisitor(int i0, int j0, float* scratch);

    /// <summary>
    /// Visits the 8×32 tiles that cover rows [rowStart, rowStart + rows) × columns [colStart, colStart + cols), tile
    /// corners on the packed panels' grid, on up to <paramref name="threads"/> threads: each thread takes a chunk of
    /// <paramref name="chunkTiles"/> column tiles (their vector-side panels stay in L2) and walks every row tile of it.
    /// </summary>
    public static void ForEachTile(int rowStart, int rows, int colStart, int cols, int threads, int chunkTiles, int scratchFloats, TileVisitor visit)
    {
        if (rows <= 0 || cols <= 0) return;
        int rowEnd = rowStart + rows, colEnd = colStart + cols;
        int firstRow = rowStart / TileRows * TileRows, firstCol = colStart / TileCols * TileCols;
        int rowTiles = (rowEnd - firstRow + TileRows - 1) / TileRows, colTiles = (colEnd - firstCol + TileCols - 1) / TileCols;
        int chunks = (colTiles + chunkTiles - 1) / chunkTiles;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, chunk =>
        {
            float* scratch = stackalloc float[scratchFloats];
            int tileEnd = Math.Min(colTiles, (chunk + 1) * chunkTiles);
            for (int ti = 0; ti < rowTiles; ti++)
                for (int tj = chunk * chunkTiles; tj < tileEnd; tj++)
                    visit(firstRow + ti * TileRows, firstCol + tj * TileCols, scratch);
        });
    }

    /// <summary>One 8×32 tile, c[r·ldc + q] = Σ_k a(r, k)·b(q, k): a is an 8-row panel, b a 32-row panel, both at k = 0.</summary>
    public static void Tile(FmaWidth width, float* a, float* b, int d, float* c, long ldc)
    {
        switch (width)
        {
            case FmaWidth.Bits512: Tile512(a, b, d, c, ldc); break;
            case FmaWidth.Bits256:
                for (int half = 0; half < 2; half++)
                    for (int q = 0; q < 2; q++)
                        Sub256(a + half * 4, b + q * 16, d, c + half * 4 * ldc + q * 16, ldc);
                break;
            default: TileScalar(a, b, d, c, ldc); break;
        }
    }

    /// <summary>The reference: each element's chain written out, one element at a time.</summary>
    static void TileScalar(float* a, float* b, int d, float* c, long ldc)
    {
        for (int r = 0; r < TileRows; r++)
            for (int q = 0; q < TileCols; q++)
            {
                float acc = 0f;
                for (int k = 0; k < d; k++) acc = MathF.FusedMultiplyAdd(a[k * TileRows + r], b[k * TileCols + q], acc);
                c[r * ldc + q] = acc;
            }
    }

    /// <summary>8 rows × 32 columns in 16 zmm accumulators: per k, two vector loads and eight broadcasts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile512(float* a, float* b, int d, float* c, long ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default,
            c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int k = 0; k < d; k++, a += TileRows, b += TileCols)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71);
        }
        c00.Store(c); c01.Store(c + 16); c += ldc; c10.Store(c); c11.Store(c + 16); c += ldc;
        c20.Store(c); c21.Store(c + 16); c += ldc; c30.Store(c); c31.Store(c + 16); c += ldc;
        c40.Store(c); c41.Store(c + 16); c += ldc; c50.Store(c); c51.Store(c + 16); c += ldc;
        c60.Store(c); c61.Store(c + 16); c += ldc; c70.Store(c); c71.Store(c + 16);
    }

    /// <summary>4 rows × 16 columns in 8 ymm accumulators (fits the 16 registers of an AVX2 CPU); a and b at the sub-tile's offsets, panel strides 8 and 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Sub256(float* a, float* b, int d, float* c, long ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        for (int k = 0; k < d; k++, a += TileRows, b += TileCols)
        {
            var b0 = Vector256.Load(b); var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
        }
        c00.Store(c); c01.Store(c + 8); c += ldc; c10.Store(c); c11.Store(c + 8); c += ldc;
        c20.Store(c); c21.Store(c + 8); c += ldc; c30.Store(c); c31.Store(c + 8);
    }
}
