using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Harness.Util;

/// <summary>
/// The machine's FP32 fused-multiply-add peak, measured: a register-only loop of independent FMA chains (12 accumulators,
/// the widest vectors the CPU has) on each of the given threads at once, for a fixed time. FLOPs = 2 per lane per FMA.
/// What a benchmark's achieved FLOP rate is compared with.
/// </summary>
public static class FmaPeak
{
    public sealed record Result(double Gflops, int Threads, string Vector, double Seconds);

    /// <param name="at256">Measure with 256-bit vectors even where 512-bit ones exist (the width the portable ISA cap leaves LibTorch's kernels).</param>
    public static Result Measure(int threads, double seconds = 1.0, bool at256 = false)
    {
        bool wide = Avx512F.IsSupported && !at256;
        string vector = wide ? "512-bit (AVX-512)" : Fma.IsSupported ? "256-bit (FMA3)" : "scalar";
        var counts = new long[threads];
        var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            counts[t] = Run(seconds, wide);
        }) { IsBackground = true }).ToList();
        var watch = Stopwatch.StartNew();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        double elapsed = watch.Elapsed.TotalSeconds;
        return new Result(counts.Sum() / elapsed / 1e9, threads, vector, elapsed);
    }

    /// <summary>FLOPs done in about <paramref name="seconds"/> on this thread.</summary>
    static long Run(double seconds, bool wide)
    {
        long flops = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
            flops += wide ? Burst512() : Fma.IsSupported ? Burst256() : BurstScalar();
        return flops;
    }

    const int Iterations = 1 << 16;

    static long Burst512()
    {
        var m = Vector512.Create(0.999999f); var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, m, a); c1 = Avx512F.FusedMultiplyAdd(c1, m, a); c2 = Avx512F.FusedMultiplyAdd(c2, m, a); c3 = Avx512F.FusedMultiplyAdd(c3, m, a);
            c4 = Avx512F.FusedMultiplyAdd(c4, m, a); c5 = Avx512F.FusedMultiplyAdd(c5, m, a); c6 = Avx512F.FusedMultiplyAdd(c6, m, a); c7 = Avx512F.FusedMultiplyAdd(c7, m, a);
            c8 = Avx512F.FusedMultiplyAdd(c8, m, a); c9 = Avx512F.FusedMultiplyAdd(c9, m, a); c10 = Avx512F.FusedMultiplyAdd(c10, m, a); c11 = Avx512F.FusedMultiplyAdd(c11, m, a);
        }
        Sink = (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).GetElement(0);
        return 2L * 16 * 12 * Iterations;
    }

    static long Burst256()
    {
        var m = Vector256.Create(0.999999f); var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a); c2 = Fma.MultiplyAdd(c2, m, a); c3 = Fma.MultiplyAdd(c3, m, a);
            c4 = Fma.MultiplyAdd(c4, m, a); c5 = Fma.MultiplyAdd(c5, m, a); c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a);
            c8 = Fma.MultiplyAdd(c8, m, a); c9 = Fma.MultiplyAdd(c9, m, a); c10 = Fma.MultiplyAdd(c10, m, a); c11 = Fma.MultiplyAdd(c11, m, a);
        }
        Sink = (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).GetElement(0);
        return 2L * 8 * 12 * Iterations;
    }

    static long BurstScalar()
    {
        float c0 = 1, c1 = 1, c2 = 1, c3 = 1, m = 0.999999f, a = 1e-7f;
        for (int i = 0; i < Iterations; i++) { c0 = MathF.FusedMultiplyAdd(c0, m, a); c1 = MathF.FusedMultiplyAdd(c1, m, a); c2 = MathF.FusedMultiplyAdd(c2, m, a); c3 = MathF.FusedMultiplyAdd(c3, m, a); }
        Sink = c0 + c1 + c2 + c3;
        return 2L * 4 * Iterations;
    }

    /// <summary>Keeps the loops' results alive.</summary>
    public static float Sink;
}
