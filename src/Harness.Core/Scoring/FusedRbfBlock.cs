using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Harness.Scoring;

/// <summary>
/// The elementwise half of the RBF Stein kernel for one block of the symmetric pass, fused into one sweep over the raw
/// products: κ = exp(−‖a−b‖²/(2h²)) · (U_a·U_b + a·b/h⁴ + r_a + r_b + d/h²), ‖a−b‖² = ‖a‖² + ‖b‖² − 2a·b clamped at 0
/// and exactly 0 for a point with itself. κ replaces X Xᵀ in place; the columns right of the diagonal block are also
/// written transposed (column-major) for the spill, eight-by-eight through registers. The pass calls it one group of
/// rows at a time and reduces those rows at once, while their κ is still in cache.
/// </summary>
public sealed unsafe class FusedRbfBlock
{
    readonly float negInv2h2, invH4, dOverH2;
    readonly float[] sq, r;
    readonly bool wide;

    /// <param name="sq">‖x‖² per point.</param>
    /// <param name="r">s·x/h² − ‖x‖²/h⁴ per point.</param>
    /// <param name="wide">512-bit vectors (the default where the CPU has them) or 256-bit: every κ is the same elementwise computation, so the same bits either way.</param>
    public FusedRbfBlock(double h, int d, float[] sq, float[] r, bool? wide = null)
    {
        this.wide = wide ?? Vector512.IsHardwareAccelerated;
        double h2 = h * h;
        negInv2h2 = (float)(-1 / (2 * h2)); invH4 = (float)(1 / (h2 * h2)); dOverH2 = (float)(d / h2);
        this.sq = sq; this.r = r;
    }

    /// <summary>Rows per group of <see cref="RunGroup"/>: the height of its transposed tiles.</summary>
    public const int GroupRows = 16;

    /// <summary>
    /// κ of the block's rows [row0, row0 + GroupRows) (fewer in a last group), in place. xx and uu: count×cols row-major
    /// products of rows [start, start+count) with columns [start, n). transposed, when not null, receives
    /// κ[row][count + j] at [j·count + row] for the cols − count columns of later blocks.
    /// </summary>
    public void RunGroup(float* xx, float* uu, int start, int count, int cols, int row0, float* transposed)
    {
        int rows = Math.Min(GroupRows, count - row0);
        if (transposed != null && Avx.IsSupported && rows == GroupRows && count % GroupRows == 0)
        {
            Group(xx, uu, start, count, cols, row0, transposed);
            return;
        }
        for (int row = row0; row < row0 + rows; row++)
        {
            Row(xx, uu, start, cols, row, 0, cols);
            if (transposed != null)
                for (int j = 0; j < cols - count; j++) transposed[(long)j * count + row] = xx[(long)row * cols + count + j];
        }
    }

    /// <summary>κ of one row over columns [from, to), then the diagonal.</summary>
    void Row(float* xx, float* uu, int start, int cols, int row, int from, int to)
    {
        int i = start + row;
        float* g = xx + (long)row * cols, u = uu + (long)row * cols;
        float gDiag = row >= from && row < to ? g[row] : 0;
        fixed (float* sqp = sq, rp = r)
        {
            float* sqc = sqp + start, rc = rp + start;
            float sqi = sq[i], ai = r[i] + dOverH2;
            var c = new Constants(this, sqi, ai);
            int j = from;
            if (wide)
                for (; j + 16 <= to; j += 16) Kappa(g, u, sqc, rc, j, c.Wide()).Store(g + j);
            for (; j + 8 <= to; j += 8) Kappa(g, u, sqc, rc, j, c).Store(g + j);
            for (; j < to; j++)
            {
                float dist = Math.Max(sqi + sqc[j] - 2 * g[j], 0f);
                g[j] = FastExp.Exp(dist * negInv2h2) * (u[j] + ai + rc[j] + g[j] * invH4);
            }
            if (row >= from && row < to) g[row] = u[row] + ai + rc[row] + gDiag * invH4; // ‖a−a‖² = 0: k = 1
        }
    }

    /// <summary>Rows [row0, row0+16): the diagonal block row by row, then 16×8 tiles stored both ways.</summary>
    void Group(float* xx, float* uu, int start, int count, int cols, int row0, float* transposed)
    {
        for (int row = row0; row < row0 + 16; row++) Row(xx, uu, start, cols, row, 0, count);
        fixed (float* sqp = sq, rp = r)
        {
            float* sqc = sqp + start, rc = rp + start;
            var c = stackalloc Constants[16];
            for (int t = 0; t < 16; t++) c[t] = new Constants(this, sq[start + row0 + t], r[start + row0 + t] + dOverH2);
            var v = stackalloc Vector256<float>[32];
            int j = count;
            if (wide)
            {
                var w = stackalloc WideConstants[16];
                for (int t = 0; t < 16; t++) w[t] = c[t].Wide();
                for (; j + 16 <= cols; j += 16)
                {
                    for (int t = 0; t < 16; t++)
                    {
                        long o = (long)(row0 + t) * cols;
                        var k = Kappa(xx + o, uu + o, sqc, rc, j, w[t]);
                        k.Store(xx + o + j);
                        v[t] = k.GetLower(); v[16 + t] = k.GetUpper();
                    }
                    float* dst = transposed + (long)(j - count) * count + row0;
                    Transpose8(v, dst, count);
                    Transpose8(v + 8, dst + 8, count);
                    Transpose8(v + 16, dst + 8L * count, count);
                    Transpose8(v + 24, dst + 8L * count + 8, count);
                }
            }
            for (; j + 8 <= cols; j += 8)
            {
                for (int t = 0; t < 16; t++)
                {
                    long o = (long)(row0 + t) * cols;
                    v[t] = Kappa(xx + o, uu + o, sqc, rc, j, c[t]);
                    v[t].Store(xx + o + j);
                }
                float* dst = transposed + (long)(j - count) * count + row0;
                Transpose8(v, dst, count);
                Transpose8(v + 8, dst + 8, count);
            }
            for (; j < cols; j++)
                for (int t = 0; t < 16; t++)
                {
                    long o = (long)(row0 + t) * cols + j;
                    float dist = Math.Max(c[t].SqI + sqc[j] - 2 * xx[o], 0f);
                    xx[o] = FastExp.Exp(dist * negInv2h2) * (uu[o] + c[t].AI + rc[j] + xx[o] * invH4);
                    transposed[(long)(j - count) * count + row0 + t] = xx[o];
                }
        }
    }

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
    static Vector512<float> Kappa(float* g, float* u, float* sqc, float* rc, int j, in WideConstants c)
    {
        var gv = Vector512.Load(g + j);
        var dist = Vector512.Max(c.Sq + Vector512.Load(sqc + j) - (gv + gv), Vector512<float>.Zero);
        var bracket = Vector512.Load(u + j) + c.A + Vector512.Load(rc + j) + gv * c.H4;
        return FastExp.Exp(dist * c.C) * bracket;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Kappa(float* g, float* u, float* sqc, float* rc, int j, in Constants c)
    {
        var gv = Vector256.Load(g + j);
        var dist = Vector256.Max(c.Sq + Vector256.Load(sqc + j) - (gv + gv), Vector256<float>.Zero);
        var bracket = Vector256.Load(u + j) + c.A + Vector256.Load(rc + j) + gv * c.H4;
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
