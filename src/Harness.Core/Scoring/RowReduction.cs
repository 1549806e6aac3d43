using Harness.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Harness.Scoring;

/// <summary>
/// One complete row of κ, held as pieces in column order: the mirror chunks read back from the spill and the part
/// computed with the row's own block. Pieces are float32 and may be modified by the reduction (the diagonal).
/// </summary>
public sealed unsafe class KappaRow
{
    public nint[] Pointers = [];
    public int[] Starts = [];   // first column of each piece
    public int[] Lengths = [];
    public int Count;

    public ref float At(int column)
    {
        int p = Count - 1;
        while (Starts[p] > column) p--;
        return ref ((float*)Pointers[p])[column - Starts[p]];
    }
}

/// <summary>
/// The per-row statistics of the symmetric pass, fused over a row of float32 κ values in cache: MKSD (the row sum),
/// the row mean and standard deviation over the counted entries, log MSKSD = log Σ exp(κ̂) with κ̂ = (κ − mean)/sd
/// (the row maximum subtracted first), and the top-K neighbours j ≠ i, largest first, ties by the smaller index.
/// The same definitions as the full-row pass, so the two agree to float32 rounding.
/// </summary>
public sealed unsafe class RowReduction
{
    const int Sample = 1024;
    readonly int n, k;
    readonly bool include, wide;
    readonly float[] sample = new float[Sample];
    uint[] keys;
    int[] columns;
    ulong[] candidates = [], scratch = [];
    float[] best = [];
    readonly KappaRow pieces = new();

    /// <param name="wide">512-bit vectors (the default where the CPU has them) or 256-bit: the same bits either way.</param>
    public RowReduction(int n, int k, bool includeDiagonal, bool? wide = null)
    {
        this.n = n; this.k = k; include = includeDiagonal; this.wide = wide ?? Vector512.IsHardwareAccelerated;
        keys = new uint[Math.Max(16, 2 * k + 64)];
        columns = new int[keys.Length];
    }

    /// <summary>This reducer's row of the given number of pieces, for the caller to fill.</summary>
    public KappaRow Pieces(int count)
    {
        if (pieces.Pointers.Length < count)
        {
            pieces.Pointers = new nint[count]; pieces.Starts = new int[count]; pieces.Lengths = new int[count];
        }
        pieces.Count = count;
        return pieces;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double Sum, double Mean, double Sd, double Lse) Reduce(KappaRow row, int diagonal, Span<int> topIndex, Span<float> topValue)
    {
        double m = include ? n : n - 1;
        ref float diag = ref row.At(diagonal);
        float dval = diag;

        double sum = 0;
        for (int p = 0; p < row.Count; p++) sum += Sum((float*)row.Pointers[p], row.Lengths[p]);
        if (!include) sum -= dval;
        double mean = sum / m;
        float meanF = (float)mean;

        // An excluded diagonal is set to the row mean: it adds nothing to the deviations, and its standardised value 0
        // never exceeds the row maximum, which is at least the mean.
        if (!include) diag = meanF;
        double ss = 0;
        float max = float.NegativeInfinity;
        for (int p = 0; p < row.Count; p++)
        {
            var (s, mx) = SquaredDeviations((float*)row.Pointers[p], row.Lengths[p], meanF);
            ss += s; max = Math.Max(max, mx);
        }
        double sd = Math.Sqrt(ss / m);
        // a constant row has sd 0 and deviations 0: standardise to zeros, not 0/0
        float inv = (float)(1 / Math.Max(sd, 1e-30));
        float top = (max - meanF) * inv;
        double expSum = 0;
        for (int p = 0; p < row.Count; p++) expSum += ExpSum((float*)row.Pointers[p], row.Lengths[p], meanF, inv, top);
        if (!include) expSum -= FastExp.Exp((meanF - meanF) * inv - top); // the placeholder's term, as the loop computed it
        double lse = Math.Log(expSum) + top;

        diag = float.NegativeInfinity; // never a neighbour of itself
        if (k > 0) TopK(row, diagonal, topIndex, topValue);
        diag = dval;
        return (sum, mean, sd, lse);
    }

    // Every sum below is the same computation at either width: element i of a chunk is added into lane i mod 32 of
    // 32 partial sums (two 512-bit or four 256-bit accumulators; one would wait on the previous add every step), the
    // lanes are folded in one fixed order (Fold), the chunk's tail is added after, one element at a time, and the chunks
    // in double. So the 512-bit path, where the CPU has it, gives the bits of the 256-bit one.
    const int Chunk = 2048;

    /// <summary>Lane l of 32 partial sums as lo = (l + l+16) for l &lt; 8 and hi = the same for l + 8, folded in a fixed tree.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Fold(Vector256<float> lo, Vector256<float> hi)
    {
        var v = lo + hi;
        return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Fold(Vector512<float> w0, Vector512<float> w1)
    {
        var w = w0 + w1;
        return Fold(w.GetLower(), w.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    double Sum(float* p, int len)
    {
        double total = 0;
        for (int start = 0; start < len; start += Chunk)
        {
            int end = Math.Min(len, start + Chunk), i = start;
            float part;
            if (wide)
            {
                Vector512<float> w0 = default, w1 = default;
                for (; i + 32 <= end; i += 32) { w0 += Vector512.Load(p + i); w1 += Vector512.Load(p + i + 16); }
                part = Fold(w0, w1);
            }
            else
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (; i + 32 <= end; i += 32)
                {
                    a0 += Vector256.Load(p + i); a1 += Vector256.Load(p + i + 8);
                    a2 += Vector256.Load(p + i + 16); a3 += Vector256.Load(p + i + 24);
                }
                part = Fold(a0 + a2, a1 + a3);
            }
            for (; i < end; i++) part += p[i];
            total += part;
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    (double, float) SquaredDeviations(float* p, int len, float mean)
    {
        double total = 0;
        float max = float.NegativeInfinity;
        for (int start = 0; start < len; start += Chunk)
        {
            int end = Math.Min(len, start + Chunk), i = start;
            float part;
            if (wide)
            {
                var mv = Vector512.Create(mean);
                Vector512<float> w0 = default, w1 = default, x0 = Vector512.Create(float.NegativeInfinity), x1 = x0;
                for (; i + 32 <= end; i += 32)
                {
                    var v0 = Vector512.Load(p + i); var v1 = Vector512.Load(p + i + 16);
                    var d0 = v0 - mv; var d1 = v1 - mv;
                    w0 += d0 * d0; w1 += d1 * d1;
                    x0 = Vector512.MaxNative(x0, v0); x1 = Vector512.MaxNative(x1, v1);
                }
                part = Fold(w0, w1);
                var xm = Vector512.MaxNative(x0, x1);
                max = Math.Max(max, Max(Vector256.MaxNative(xm.GetLower(), xm.GetUpper())));
            }
            else
            {
                var mv = Vector256.Create(mean);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, x0 = Vector256.Create(float.NegativeInfinity), x1 = x0;
                for (; i + 32 <= end; i += 32)
                {
                    var v0 = Vector256.Load(p + i); var v1 = Vector256.Load(p + i + 8);
                    var v2 = Vector256.Load(p + i + 16); var v3 = Vector256.Load(p + i + 24);
                    var d0 = v0 - mv; var d1 = v1 - mv; var d2 = v2 - mv; var d3 = v3 - mv;
                    a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3;
                    x0 = Vector256.MaxNative(x0, Vector256.MaxNative(v0, v1));
                    x1 = Vector256.MaxNative(x1, Vector256.MaxNative(v2, v3));
                }
                part = Fold(a0 + a2, a1 + a3);
                max = Math.Max(max, Max(Vector256.MaxNative(x0, x1)));
            }
            for (; i < end; i++) { float dv = p[i] - mean; part += dv * dv; max = Math.Max(max, p[i]); }
            total += part;
        }
        return (total, max);
    }

    static float Max(Vector256<float> v)
    {
        float m = v[0];
        for (int l = 1; l < 8; l++) m = Math.Max(m, v[l]);
        return m;
    }

    /// <remarks>
    /// While it sweeps a piece it prefetches the same piece of the next row (len floats on: the pieces are rows of a
    /// row-major block), which a reducer usually takes next, so the next row's first sweep finds it in L2, not DRAM.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    double ExpSum(float* p, int len, float mean, float inv, float top)
    {
        double total = 0;
        for (int start = 0; start < len; start += Chunk)
        {
            int end = Math.Min(len, start + Chunk), i = start;
            float part;
            if (wide)
            {
                var mw = Vector512.Create(mean); var iw = Vector512.Create(inv); var tw = Vector512.Create(top);
                Vector512<float> w0 = default, w1 = default;
                for (; i + 64 <= end; i += 64)
                {
                    Sse.Prefetch1(p + i + len); Sse.Prefetch1(p + i + 16 + len);
                    Sse.Prefetch1(p + i + 32 + len); Sse.Prefetch1(p + i + 48 + len);
                    var x0 = (Vector512.Load(p + i) - mw) * iw - tw; var x1 = (Vector512.Load(p + i + 16) - mw) * iw - tw;
                    var x2 = (Vector512.Load(p + i + 32) - mw) * iw - tw; var x3 = (Vector512.Load(p + i + 48) - mw) * iw - tw;
                    // FastExp.Exp of the four, step by step across them (the same operations per lane, so the same bits):
                    // one exp is a chain of some 40 dependent operations, and four side by side keep the FP pipes busy where
                    // two leave them waiting. Written out here because the JIT does not inline a method with this many locals.
                    var lo = Vector512.Create(FastExp.Lowest); var hi = Vector512.Create(FastExp.Highest);
                    var u0 = Vector512.LessThan(x0, lo); var u1 = Vector512.LessThan(x1, lo); var u2 = Vector512.LessThan(x2, lo); var u3 = Vector512.LessThan(x3, lo);
                    x0 = Vector512.MinNative(hi, Vector512.MaxNative(lo, x0)); x1 = Vector512.MinNative(hi, Vector512.MaxNative(lo, x1));
                    x2 = Vector512.MinNative(hi, Vector512.MaxNative(lo, x2)); x3 = Vector512.MinNative(hi, Vector512.MaxNative(lo, x3));
                    var l2e = Vector512.Create(FastExp.Log2E); var half = Vector512.Create(0.5f);
                    var n0 = Vector512.Floor(x0 * l2e + half); var n1 = Vector512.Floor(x1 * l2e + half);
                    var n2 = Vector512.Floor(x2 * l2e + half); var n3 = Vector512.Floor(x3 * l2e + half);
                    var ln2Hi = Vector512.Create(FastExp.Ln2Hi); var ln2Lo = Vector512.Create(FastExp.Ln2Lo);
                    var r0 = x0 - n0 * ln2Hi - n0 * ln2Lo; var r1 = x1 - n1 * ln2Hi - n1 * ln2Lo;
                    var r2 = x2 - n2 * ln2Hi - n2 * ln2Lo; var r3 = x3 - n3 * ln2Hi - n3 * ln2Lo;
                    var c = Vector512.Create(FastExp.P0);
                    Vector512<float> p0 = c, p1 = c, p2 = c, p3 = c;
                    c = Vector512.Create(FastExp.P1); p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
                    c = Vector512.Create(FastExp.P2); p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
                    c = Vector512.Create(FastExp.P3); p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
                    c = Vector512.Create(FastExp.P4); p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
                    c = Vector512.Create(FastExp.P5); p0 = p0 * r0 + c; p1 = p1 * r1 + c; p2 = p2 * r2 + c; p3 = p3 * r3 + c;
                    p0 = p0 * (r0 * r0) + r0 + Vector512<float>.One; p1 = p1 * (r1 * r1) + r1 + Vector512<float>.One;
                    p2 = p2 * (r2 * r2) + r2 + Vector512<float>.One; p3 = p3 * (r3 * r3) + r3 + Vector512<float>.One;
                    var i0 = Vector512.ConvertToInt32Native(n0); var i1 = Vector512.ConvertToInt32Native(n1);
                    var i2 = Vector512.ConvertToInt32Native(n2); var i3 = Vector512.ConvertToInt32Native(n3);
                    var h0 = Vector512.ShiftRightArithmetic(i0, 1); var h1 = Vector512.ShiftRightArithmetic(i1, 1);
                    var h2 = Vector512.ShiftRightArithmetic(i2, 1); var h3 = Vector512.ShiftRightArithmetic(i3, 1);
                    var bias = Vector512.Create(127);
                    x0 = Vector512.AndNot(p0 * Vector512.ShiftLeft(h0 + bias, 23).AsSingle() * Vector512.ShiftLeft(i0 - h0 + bias, 23).AsSingle(), u0.AsSingle());
                    x1 = Vector512.AndNot(p1 * Vector512.ShiftLeft(h1 + bias, 23).AsSingle() * Vector512.ShiftLeft(i1 - h1 + bias, 23).AsSingle(), u1.AsSingle());
                    x2 = Vector512.AndNot(p2 * Vector512.ShiftLeft(h2 + bias, 23).AsSingle() * Vector512.ShiftLeft(i2 - h2 + bias, 23).AsSingle(), u2.AsSingle());
                    x3 = Vector512.AndNot(p3 * Vector512.ShiftLeft(h3 + bias, 23).AsSingle() * Vector512.ShiftLeft(i3 - h3 + bias, 23).AsSingle(), u3.AsSingle());
                    w0 += x0; w1 += x1; w0 += x2; w1 += x3; // the two-at-a-time loop's order: element i goes to lane i mod 32
                }
                for (; i + 32 <= end; i += 32)
                {
                    Sse.Prefetch1(p + i + len); Sse.Prefetch1(p + i + 16 + len);
                    w0 += FastExp.Exp((Vector512.Load(p + i) - mw) * iw - tw);
                    w1 += FastExp.Exp((Vector512.Load(p + i + 16) - mw) * iw - tw);
                }
                part = Fold(w0, w1);
            }
            else
            {
                var mv = Vector256.Create(mean); var iv = Vector256.Create(inv); var tv = Vector256.Create(top);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (; i + 32 <= end; i += 32)
                {
                    Sse.Prefetch1(p + i + len); Sse.Prefetch1(p + i + 16 + len);
                    a0 += FastExp.Exp((Vector256.Load(p + i) - mv) * iv - tv);
                    a1 += FastExp.Exp((Vector256.Load(p + i + 8) - mv) * iv - tv);
                    a2 += FastExp.Exp((Vector256.Load(p + i + 16) - mv) * iv - tv);
                    a3 += FastExp.Exp((Vector256.Load(p + i + 24) - mv) * iv - tv);
                }
                part = Fold(a0 + a2, a1 + a3);
            }
            for (; i < end; i++) part += FastExp.Exp((p[i] - mean) * inv - top);
            total += part;
        }
        return total;
    }

    /// <summary>
    /// The K largest entries of the row (the diagonal is −∞ here): a threshold from a strided sample keeps about 1.25·K
    /// candidates in one vectorised scan; a threshold that keeps too few is lowered and the scan repeated. Candidates
    /// are sorted as one 64-bit key each, the value's order above the column, so equal values list the smaller index first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void TopK(KappaRow row, int diagonal, Span<int> topIndex, Span<float> topValue)
    {
        int s = Math.Min(Sample, n);
        for (int q = 0, p = 0; q < s; q++)
        {
            int column = (int)((long)q * n / s);
            while (column >= row.Starts[p] + row.Lengths[p]) p++;
            sample[q] = ((float*)row.Pointers[p])[column - row.Starts[p]];
        }
        int rank = (int)Math.Ceiling(s * (double)k / (n - 1) * 1.25) + 4;
        int count;
        while (true)
        {
            float threshold = rank >= s ? float.NegativeInfinity : LargestAt(sample.AsSpan(0, s), rank);
            count = 0;
            for (int p = 0; p < row.Count; p++) count = Collect((float*)row.Pointers[p], row.Lengths[p], row.Starts[p], threshold, count);
            if (count >= k + (threshold == float.NegativeInfinity ? 1 : 0) || rank >= s) break;
            rank = Math.Min(s, rank * 4);
        }
        var sorted = RadixSort(count);
        int o = 0;
        for (int t = 0; t < count && o < k; t++)
        {
            int column = (int)(uint)sorted[t];
            if (column == diagonal) continue;
            topIndex[o] = column;
            topValue[o] = Value((uint)(sorted[t] >> 32));
            o++;
        }
        for (; o < k; o++) { topIndex[o] = -1; topValue[o] = float.NaN; } // only a row with NaN entries gets here
    }

    /// <summary>
    /// Sorts the candidates by their value key with a stable LSD radix sort (four 8-bit digits): candidates were collected
    /// in column order, so equal values keep the smaller column first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    Span<ulong> RadixSort(int count)
    {
        if (count == 0) return [];
        if (candidates.Length < count) { candidates = new ulong[keys.Length]; scratch = new ulong[keys.Length]; }
        for (int t = 0; t < count; t++) candidates[t] = (ulong)keys[t] << 32 | (uint)columns[t];
        Span<int> histogram = stackalloc int[4 * 256];
        histogram.Clear();
        var src = candidates.AsSpan(0, count);
        foreach (ulong c in src)
        {
            uint key = (uint)(c >> 32);
            histogram[(int)(key & 0xFF)]++;
            histogram[256 + (int)((key >> 8) & 0xFF)]++;
            histogram[512 + (int)((key >> 16) & 0xFF)]++;
            histogram[768 + (int)(key >> 24)]++;
        }
        var dst = scratch.AsSpan(0, count);
        for (int digit = 0; digit < 4; digit++)
        {
            var h = histogram.Slice(digit * 256, 256);
            if (h[(int)((uint)(src[0] >> (32 + 8 * digit)) & 0xFF)] == count) continue; // every key shares this digit
            int sum = 0;
            for (int b = 0; b < 256; b++) { int c = h[b]; h[b] = sum; sum += c; }
            foreach (ulong c in src) dst[h[(int)((uint)(c >> (32 + 8 * digit)) & 0xFF)]++] = c;
            var swap = src; src = dst; dst = swap;
        }
        return src;
    }

    /// <summary>An order-reversing map of float32 onto uint32: larger values give smaller keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static uint Key(float v)
    {
        uint bits = BitConverter.SingleToUInt32Bits(v);
        uint ascending = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ~ascending;
    }

    static float Value(uint key)
    {
        uint ascending = ~key;
        return BitConverter.UInt32BitsToSingle((ascending & 0x8000_0000u) != 0 ? ascending & 0x7FFF_FFFFu : ~ascending);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int Collect(float* p, int len, int column, float threshold, int count)
    {
        var tv = Vector256.Create(threshold);
        int i = 0;
        if (wide && Avx512F.IsSupported)
        {
            // no branch per hit: every 16 values, the keys and columns of those at or above the threshold are packed
            // to the front of a register (in column order) and stored whole; the count moves on by the hits
            var tw = Vector512.Create(threshold);
            var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            var low31 = Vector512.Create(0x7FFF_FFFFu);
            if (keys.Length < count + len + 16) // room for every value of the piece: no check per store
            {
                int size = Math.Max(keys.Length * 2, count + len + 16);
                Array.Resize(ref keys, size); Array.Resize(ref columns, size);
            }
            fixed (uint* kp = keys)
            fixed (int* cp = columns)
                for (; i + 16 <= len; i += 16)
                {
                    var v = Vector512.Load(p + i);
                    var hit = Vector512.GreaterThanOrEqual(v, tw);
                    var bits = v.AsUInt32();
                    var key = bits ^ Vector512.AndNot(low31, Vector512.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32()); // Key(v), lane by lane
                    Avx512F.Compress(Vector512<uint>.Zero, hit.AsUInt32(), key).Store(kp + count);
                    Avx512F.Compress(Vector512<int>.Zero, hit.AsInt32(), lanes + Vector512.Create(column + i)).Store(cp + count);
                    count += System.Numerics.BitOperations.PopCount(hit.ExtractMostSignificantBits());
                }
        }
        for (; i + 8 <= len; i += 8)
        {
            uint bits = Vector256.GreaterThanOrEqual(Vector256.Load(p + i), tv).ExtractMostSignificantBits();
            while (bits != 0)
            {
                int lane = System.Numerics.BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                count = Add(count, p[i + lane], column + i + lane);
            }
        }
        for (; i < len; i++)
            if (p[i] >= threshold) count = Add(count, p[i], column + i);
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    int Add(int count, float value, int column)
    {
        if (count == keys.Length) { Array.Resize(ref keys, keys.Length * 2); Array.Resize(ref columns, columns.Length * 2); }
        keys[count] = Key(value);
        columns[count] = column;
        return count + 1;
    }

    /// <summary>The value of rank r (1 = largest) among values: one scan keeping the r largest so far, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    float LargestAt(Span<float> values, int r)
    {
        if (best.Length < r) best = new float[r];
        int size = 0;
        foreach (float v in values)
        {
            if (size == r && !(v > best[r - 1])) continue;
            int at = size < r ? size++ : r - 1;
            while (at > 0 && best[at - 1] < v) { best[at] = best[at - 1]; at--; }
            best[at] = v;
        }
        return best[size - 1];
    }
}
