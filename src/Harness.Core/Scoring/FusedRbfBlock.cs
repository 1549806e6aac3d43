using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Harness.Scoring;

/// <summary>
/// One block of the symmetric pass with the RBF Stein kernel's elementwise half fused into the products: each 8×32 tile
/// of X Xᵀ and U Uᵀ is computed by <see cref="FmaGemm"/> into scratch (in L1), and κ = exp(−‖a−b‖²/(2h²)) ·
/// (U_a·U_b + a·b/h⁴ + r_a + r_b + d/h²), ‖a−b‖² = ‖a‖² + ‖b‖² − 2a·b clamped at 0 and exactly 0 for a point with
/// itself, is written straight from it: the products never exist as n-wide rows, and κ is written once. The columns
/// right of the diagonal block are also written transposed (column-major) for the spill, eight-by-eight through
/// registers. Every κ is the same elementwise computation at 256 and 512 bits and in the scalar edge path (FastExp's
/// lanes are its scalar form), and the products are FmaGemm's chains, so the bits do not depend on width or threads.
/// </summary>
public sealed unsafe class FusedRbfBlock
{
    readonly float negInv2h2, invH4, dOverH2;
    readonly float[] sq, r;
    readonly bool wide;
    readonly FmaWidth gemm;

    /// <param name="sq">‖x‖² per point.</param>
    /// <param name="r">s·x/h² − ‖x‖²/h⁴ per point.</param>
    /// <param name="wide">κ in 512-bit vectors (the default where the CPU has them) or 256-bit: the same bits either way.</param>
    /// <param name="gemm">the products' width (the widest by default): the same bits at every width.</param>
    public FusedRbfBlock(double h, int d, float[] sq, float[] r, bool? wide = null, FmaWidth? gemm = null)
    {
        this.wide = wide ?? Vector512.IsHardwareAccelerated;
        this.gemm = gemm ?? FmaGemm.Widest;
        if (!FmaGemm.Supported(this.gemm)) throw new PlatformNotSupportedException($"this CPU has no {this.gemm} FMA path");
        double h2 = h * h;
        negInv2h2 = (float)(-1 / (2 * h2)); invH4 = (float)(1 / (h2 * h2)); dOverH2 = (float)(d / h2);
        this.sq = sq; this.r = r;
    }

    const int TileRows = FmaGemm.TileRows, TileCols = FmaGemm.TileCols;
    /// <summary>Column tiles per thread chunk: both operands' vector-side panels (2 × 2 × 32 × d floats) stay in L2.</summary>
    const int ChunkTiles = 2;

    /// <summary>
    /// κ of rows [start, start + count) against columns [start, n) into <paramref name="kappa"/> (count × (n − start),
    /// row-major), from the packed x and U; <paramref name="transposed"/>, when not null, receives κ[row][count + j] at
    /// [j·count + row] for the n − start − count columns of later blocks.
    /// </summary>
    public void Compute(PackedRows x, PackedRows u, int start, int count, float* kappa, float* transposed, int threads)
    {
        if (x.N != u.N || x.D != u.D || x.N != sq.Length) throw new ArgumentException("x, U and the per-point constants disagree in shape");
        int n = x.N, d = x.D, cols = n - start, rowEnd = start + count;
        FmaGemm.ForEachTile(start, count, start, cols, threads, ChunkTiles, 2 * TileRows * TileCols, (i0, j0, scratch) =>
        {
            float* xt = scratch, ut = scratch + TileRows * TileCols;
            FmaGemm.Tile(gemm, x.NarrowPanel(i0), x.WidePanel(j0), d, xt, TileCols);
            FmaGemm.Tile(gemm, u.NarrowPanel(i0), u.WidePanel(j0), d, ut, TileCols);
            // tiles lie on the 8×32 grid of the whole matrix, so the first ones can begin before start (rows and columns)
            bool whole = i0 >= start && i0 + TileRows <= rowEnd && j0 >= start && j0 + TileCols <= n;
            if (whole) Tile(xt, ut, i0, j0, start, cols, count, kappa, transposed);
            else Edge(xt, ut, i0, j0, start, count, n, kappa, transposed);
        });
    }

    /// <summary>A tile inside the block: κ of its 8 rows in vectors, the diagonal fixed, then stored (and transposed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Tile(float* xt, float* ut, int i0, int j0, int start, int cols, int count, float* kappa, float* transposed)
    {
        var v = stackalloc Vector256<float>[TileRows * TileCols / 8];
        fixed (float* sqp = sq, rp = r)
        {
            float* sqc = sqp + j0, rc = rp + j0;
            for (int t = 0; t < TileRows; t++)
            {
                int i = i0 + t;
                var c = new Constants(this, sqp[i], rp[i] + dOverH2);
                float* g = xt + t * TileCols, uv = ut + t * TileCols, dst = kappa + (long)(i - start) * cols + (j0 - start);
                if (wide)
                {
                    var w = c.Wide();
                    for (int q = 0; q < TileCols; q += 16)
                    {
                        var k = Kappa(g + q, uv + q, sqc + q, rc + q, w);
                        v[t * 4 + q / 8] = k.GetLower(); v[t * 4 + q / 8 + 1] = k.GetUpper();
                    }
                }
                else
                    for (int q = 0; q < TileCols; q += 8) v[t * 4 + q / 8] = Kappa(g + q, uv + q, sqc + q, rc + q, c);
                for (int q = 0; q < TileCols / 8; q++) v[t * 4 + q].Store(dst + q * 8);
                if (i >= j0 && i < j0 + TileCols) dst[i - j0] = Diagonal(g[i - j0], uv[i - j0], c.AI, rp[i]); // ‖a−a‖² = 0: k = 1
            }
        }
        int right = start + count; // the first column of later blocks
        if (transposed == null || j0 + TileCols <= right) return;
        if (j0 < right)
        {
            // a tile across the diagonal block's right edge: its later-block columns one at a time
            for (int t = 0; t < TileRows; t++)
                for (int j = right; j < j0 + TileCols; j++)
                    transposed[(long)(j - right) * count + (i0 + t - start)] = kappa[(long)(i0 + t - start) * cols + (j - start)];
            return;
        }
        // column j of the 8 rows goes to transposed[(j − start − count)·count + (i0 − start)]: four 8×8 transposes
        var rows = stackalloc Vector256<float>[8];
        float* dstT = transposed + (long)(j0 - right) * count + (i0 - start);
        for (int q = 0; q < TileCols / 8; q++)
        {
            for (int t = 0; t < TileRows; t++) rows[t] = v[t * 4 + q];
            Transpose8(rows, dstT + (long)q * 8 * count, count);
        }
    }

    /// <summary>A tile on the block's edge: only the entries inside it, one at a time (the same computation as the lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Edge(float* xt, float* ut, int i0, int j0, int start, int count, int n, float* kappa, float* transposed)
    {
        int cols = n - start;
        for (int i = Math.Max(i0, start); i < Math.Min(i0 + TileRows, start + count); i++)
        {
            float sqi = sq[i], ai = r[i] + dOverH2;
            for (int j = Math.Max(j0, start); j < Math.Min(j0 + TileCols, n); j++)
            {
                float g = xt[(i - i0) * TileCols + (j - j0)], u = ut[(i - i0) * TileCols + (j - j0)];
                float k;
                if (i == j) k = Diagonal(g, u, ai, r[i]);
                else
                {
                    float dist = Math.Max(sqi + sq[j] - 2 * g, 0f);
                    k = FastExp.Exp(dist * negInv2h2) * (u + ai + r[j] + g * invH4);
                }
                kappa[(long)(i - start) * cols + (j - start)] = k;
                if (transposed != null && j >= start + count) transposed[(long)(j - start - count) * count + (i - start)] = k;
            }
        }
    }

    /// <summary>κ of a point with itself: k = 1 exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    float Diagonal(float g, float u, float ai, float ri) => u + ai + ri + g * invH4;

    readonly struct Constants(FusedRbfBlock f, float sqi, float ai)
    {
        public readonly float SqI = sqi, AI = ai, NegInv2h2 = f.negInv2h2, InvH4 = f.invH4;
        public readonly Vector256<float> Sq = Vector256.Create(sqi), A = Vector256.Create(ai),
            C = Vector256.Create(f.negInv2h2), H4 = Vector256.Create(f.invH4);
        public WideConstants Wide() => new(this);
    }

    readonly struct WideConstants(in Constants c)
    {
        public readonly Vector512<float> Sq = Vector512.Create(c.SqI), A = Vector512.Create(c.AI),
            C = Vector512.Create(c.NegInv2h2), H4 = Vector512.Create(c.InvH4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector512<float> Kappa(float* g, float* u, float* sqc, float* rc, in WideConstants c)
    {
        var gv = Vector512.Load(g);
        var dist = Vector512.Max(c.Sq + Vector512.Load(sqc) - (gv + gv), Vector512<float>.Zero);
        var bracket = Vector512.Load(u) + c.A + Vector512.Load(rc) + gv * c.H4;
        return FastExp.Exp(dist * c.C) * bracket;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Kappa(float* g, float* u, float* sqc, float* rc, in Constants c)
    {
        var gv = Vector256.Load(g);
        var dist = Vector256.Max(c.Sq + Vector256.Load(sqc) - (gv + gv), Vector256<float>.Zero);
        var bracket = Vector256.Load(u) + c.A + Vector256.Load(rc) + gv * c.H4;
        return FastExp.Exp(dist * c.C) * bracket;
    }

    /// <summary>Writes the 8×8 tile rows[0..8) transposed: column c goes to dst + c·stride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8(Vector256<float>* rows, float* dst, int stride)
    {
        var t0 = Avx.UnpackLow(rows[0], rows[1]); var t1 = Avx.UnpackHigh(rows[0], rows[1]);
        var t2 = Avx.UnpackLow(rows[2], rows[3]); var t3 = Avx.UnpackHigh(rows[2], rows[3]);
        var t4 = Avx.UnpackLow(rows[4], rows[5]); var t5 = Avx.UnpackHigh(rows[4], rows[5]);
        var t6 = Avx.UnpackLow(rows[6], rows[7]); var t7 = Avx.UnpackHigh(rows[6], rows[7]);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).Store(dst);
        Avx.Permute2x128(s1, s5, 0x20).Store(dst + stride);
        Avx.Permute2x128(s2, s6, 0x20).Store(dst + 2L * stride);
        Avx.Permute2x128(s3, s7, 0x20).Store(dst + 3L * stride);
        Avx.Permute2x128(s0, s4, 0x31).Store(dst + 4L * stride);
        Avx.Permute2x128(s1, s5, 0x31).Store(dst + 5L * stride);
        Avx.Permute2x128(s2, s6, 0x31).Store(dst + 6L * stride);
        Avx.Permute2x128(s3, s7, 0x31).Store(dst + 7L * stride);
    }
}
