using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Harness.Util;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// The RBF kernel pass that computes each κ entry once: block I evaluates rows I against columns from its own start
/// onwards (the block triangle of X Xᵀ and U Uᵀ, the benchmark's floor), keeps those rows, and spills the transpose
/// of the part right of its diagonal block to disk for the later blocks whose rows it completes. Row I is whole when
/// block I is computed (its left part comes back from the spill), so the per-row standardisation of MSKSD stays
/// exact while memory stays O(block·n + n·d). Spill I/O runs in the background, overlapped with the products.
/// </summary>
public static unsafe class SymmetricKernelPass
{
    /// <summary>Why this pass cannot run the given configuration, or null when it can.</summary>
    public static string? Unsupported(BaseKernel kernel, ScoringOptions options, int n)
    {
        if (kernel is not RbfKernel) return "the symmetric pass evaluates the RBF kernel only";
        if (options.DType != ScalarType.Float32) return "the symmetric pass is float32";
        if (options.Standardize != "row") return "global standardisation needs a first pass over every entry";
        if (options.Spill == "off") return "spill: off";
        if (options.BlockFor(n) >= n) return "one block holds every row";
        return null;
    }

    public static KernelStatistics Run(RbfKernel kernel, Tensor x, Tensor s, ScoringOptions options, IProgress? progress = null)
    {
        var setupClock = Stopwatch.StartNew();
        int n = (int)x.shape[0], d = (int)x.shape[1];
        int block = options.BlockFor(n);
        int blocks = (n + block - 1) / block;
        bool include = options.Diagonal == "include";
        int k = Math.Min(options.TopK, n - 1);
        int threads = Math.Max(1, get_num_threads());
        var mksd = new double[n];
        var logMsksd = new double[n];
        var mean = new double[n];
        var sd = new double[n];
        var nbIndex = new int[(long)n * k];
        var nbValue = new float[(long)n * k];

        using var xs = x.to(ScalarType.Float32).contiguous();
        using var ss = s.to(ScalarType.Float32).contiguous();
        using var prepared = kernel.Prepare(xs, ss);
        var (sq, r) = RbfKernel.PointTerms(prepared);
        var fused = new FusedRbfBlock(kernel.H, d, sq, r);

        using var spill = new KernelSpill(options.ScratchDirectory, n, block);
        long panel = (long)block * n;
        using var xxBuffer = empty(panel, ScalarType.Float32);
        using var uuBuffer = empty(panel, ScalarType.Float32);
        using var transposed = new AlignedBuffer(panel);
        using var mirrorA = new AlignedBuffer(panel);
        using var mirrorB = new AlignedBuffer(panel);
        float* xxPtr = Pointer(xxBuffer), uuPtr = Pointer(uuBuffer);
        var reducers = Enumerable.Range(0, threads).Select(_ => new RowReduction(n, k, include)).ToArray();

        progress?.Start("kernel", blocks);
        double setup = setupClock.Elapsed.TotalSeconds;
        var clock = new Stopwatch();
        double products = 0, fuse = 0, wait = 0, rows = 0;
        Task writes = Task.CompletedTask, read = Task.CompletedTask;
        try
        {
            for (int bi = 0; bi < blocks; bi++)
            {
                int start = bi * block, count = Math.Min(block, n - start), cols = n - start;
                clock.Restart();
                using (var scope = NewDisposeScope())
                {
                    var xx = xxBuffer.narrow(0, 0, (long)count * cols).view(count, cols);
                    var uu = uuBuffer.narrow(0, 0, (long)count * cols).view(count, cols);
                    RbfKernel.TriangleProducts(prepared, start, count, xx, uu);
                }
                products += Lap(clock);

                writes.GetAwaiter().GetResult(); // the transpose buffer is free once the previous block is on disk
                wait += Lap(clock);

                int right = cols - count; // columns of later blocks
                fused.Run(xxPtr, uuPtr, start, count, cols, right > 0 ? transposed.Pointer : null, threads);
                fuse += Lap(clock);

                int from = bi;
                writes = right > 0 ? Task.Run(() =>
                {
                    for (int bj = from + 1; bj < blocks; bj++)
                        spill.WriteChunk(from, bj, transposed.Pointer + (long)(bj * block - start - count) * count);
                }) : Task.CompletedTask;

                read.GetAwaiter().GetResult(); // region bi: row bi's entries left of its diagonal block
                wait += Lap(clock);
                var mirror = (bi % 2 == 0 ? mirrorA : mirrorB).Pointer;
                if (bi + 1 < blocks)
                {
                    var w = writes;
                    int next = bi + 1;
                    var target = (next % 2 == 0 ? mirrorA : mirrorB).Pointer;
                    read = w.ContinueWith(done => { done.GetAwaiter().GetResult(); spill.ReadRegion(next, target); spill.Release(next); },
                        CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                }

                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    var reducer = reducers[t];
                    int per = (count + threads - 1) / threads;
                    Span<nint> pointers = new nint[bi + 1];
                    Span<int> starts = new int[bi + 1], lengths = new int[bi + 1];
                    for (int row = t * per; row < Math.Min(count, (t + 1) * per); row++)
                    {
                        for (int c = 0; c < bi; c++)
                        {
                            pointers[c] = (nint)(mirror + ((long)c * count + row) * block);
                            starts[c] = c * block; lengths[c] = block;
                        }
                        pointers[bi] = (nint)(xxPtr + (long)row * cols);
                        starts[bi] = start; lengths[bi] = cols;
                        var kappaRow = new KappaRow { Pointers = pointers, Starts = starts, Lengths = lengths, Count = bi + 1 };
                        int i = start + row;
                        var (sum, m, sdev, lse) = reducer.Reduce(kappaRow, i, nbIndex.AsSpan(i * k, k), nbValue.AsSpan(i * k, k));
                        mksd[i] = sum; mean[i] = m; sd[i] = sdev; logMsksd[i] = lse;
                    }
                });
                rows += Lap(clock);
                progress?.Report(bi + 1);
            }
            writes.GetAwaiter().GetResult();
        }
        finally
        {
            // never free buffers under a transfer still in flight
            try { Task.WaitAll(writes, read); } catch (AggregateException) when (writes.IsFaulted || read.IsFaulted) { }
        }
        progress?.Finish();
        return new KernelStatistics(n, k, mksd, logMsksd, mean, sd, nbIndex, nbValue, 0, 1)
        {
            Strategy = $"symmetric: block triangle of the products, mirror half spilled to {Path.GetDirectoryName(spill.Path)} " +
                $"({spill.Bytes / 1e9:F2} GB{(spill.Direct ? ", O_DIRECT" : ", buffered")})",
            PhaseSeconds = new() { ["setup"] = setup, ["products"] = products, ["kappa_elementwise"] = fuse, ["spill_wait"] = wait, ["row_statistics"] = rows },
        };
    }

    static double Lap(Stopwatch clock) { double s = clock.Elapsed.TotalSeconds; clock.Restart(); return s; }

    static float* Pointer(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(t.bytes));
}
