using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// The RBF kernel pass that computes each κ entry once: block I evaluates rows I against columns from its own start
/// onwards (the block triangle of X Xᵀ and U Uᵀ, the benchmark's floor), keeps those rows, and spills the transpose
/// of the part right of its diagonal block to disk for the later blocks whose rows it completes. Row I is whole when
/// block I is computed (its left part comes back from the spill), so the per-row standardisation of MSKSD stays
/// exact while memory stays O(block·n + n·d). Spill I/O runs in the background, overlapped with the products. The
/// chunks that fit wait in the κ buffer's free tail instead of on disk (<see cref="MirrorPlan"/>).
/// </summary>
public static unsafe class SymmetricKernelPass
{
    /// <summary>Why this pass cannot run the given configuration, or null when it can.</summary>
    public static string? Unsupported(BaseKernel kernel, ScoringOptions options, int n) =>
        kernel is not RbfKernel ? "the symmetric pass evaluates the RBF kernel only" : Unsupported(options, n);

    /// <summary>The same, from the options alone (before the kernel exists).</summary>
    public static string? Unsupported(ScoringOptions options, int n)
    {
        if (options.Kernel != KernelKind.Rbf) return "the symmetric pass evaluates the RBF kernel only";
        if (options.DType != ScalarType.Float32) return "the symmetric pass is float32";
        if (options.Standardize != Standardization.Row) return "global standardisation needs a first pass over every entry";
        if (options.Spill == SpillMode.Off) return "spill: off";
        if (options.BlockFor(n) >= n) return "one block holds every row";
        if ((long)options.BlockFor(n) * n * sizeof(float) > int.MaxValue) return "a block of over 2 GB";
        return null;
    }

    /// <summary>Fails now, with the way out, if the scratch directory cannot take the spill for n points.</summary>
    public static void CheckScratch(ScoringOptions options, int n)
    {
        if (Unsupported(options, n) == null) KernelSpill.CheckSpace(options.ScratchDirectory, n, options.BlockFor(n));
    }

    /// <param name="plan">where the mirror's chunks wait (by default <see cref="MirrorPlan.For"/>; tests compare plans).</param>
    public static KernelStatistics Run(RbfKernel kernel, Tensor x, Tensor s, ScoringOptions options, IProgress? progress = null, MirrorPlan? plan = null)
    {
        var setupClock = Stopwatch.StartNew();
        int n = (int)x.shape[0], d = (int)x.shape[1];
        int block = options.BlockFor(n);
        int blocks = (n + block - 1) / block;
        bool include = options.Diagonal == DiagonalMode.Include;
        int k = Math.Min(options.TopK, n - 1);
        int threads = Math.Max(1, get_num_threads());
        var (mksd, logMsksd, mean, sd, nbIndex, nbValue) = SteinKernelPass.RowArrays(n, k);

        using var operands = Operands(kernel, x, s);
        var fused = new FusedRbfBlock(kernel.H, d, operands.Sq, operands.R);
        PackedRows px = operands.X, pu = operands.U;

        plan ??= MirrorPlan.For(n, block);
        using var spill = new KernelSpill(options.ScratchDirectory, n, block);
        using var io = new SpillWorker();
        long panel = (long)block * n;
        using var kappaBuffer = new AlignedBuffer(panel);
        // Block I's mirror (its rows against blocks 0..I−1: I chunks) and its transpose (blocks I+1.. against its rows:
        // the chunks of slots I..blocks−2) share one buffer of block·n floats; blocks alternate between two such
        // buffers, so one block's transpose goes to disk while the next block computes into the other.
        using var sharedA = new AlignedBuffer(panel);
        using var sharedB = new AlignedBuffer(panel);
        float* kappa = kappaBuffer.Pointer;
        var reducers = new System.Collections.Concurrent.ConcurrentBag<RowReduction>();

        progress?.Start("kernel", blocks);
        double setup = setupClock.Elapsed.TotalSeconds;
        var clock = new Stopwatch();
        double products = 0, wait = 0, rows = 0;
        // each transpose buffer is written to disk while the next block computes into the other one
        var writes = new[] { Task.CompletedTask, Task.CompletedTask };
        Task read = Task.CompletedTask;
        try
        {
            for (int bi = 0; bi < blocks; bi++)
            {
                int start = bi * block, count = Math.Min(block, n - start), cols = n - start;
                int right = cols - count; // columns of later blocks
                var mirror = (bi % 2 == 0 ? sharedA : sharedB).Pointer;
                var nextMirror = (bi % 2 == 0 ? sharedB : sharedA).Pointer;
                var transposed = mirror + (long)bi * count * block; // after the mirror's bi chunks
                clock.Restart();
                writes[bi % 2].GetAwaiter().GetResult(); // block bi − 2's transpose is on disk
                wait += Lap(clock);
                // κ of rows [start, start + count) with columns [start, n), from X Xᵀ and U Uᵀ tiles: the same bits on every CPU
                fused.Compute(px, pu, start, count, kappa, right > 0 ? transposed : null, threads);
                products += Lap(clock);

                read.GetAwaiter().GetResult();   // region bi: row bi's entries left of its diagonal block
                wait += Lap(clock);

                int next = bi + 1;
                // Region bi+1 from disk while this block reduces: its chunks of blocks before bi are queued for writing
                // ahead of it on the one I/O thread.
                int from = bi; // the closures below need this iteration's block, not the shared loop variable
                if (next < blocks && bi > 0) read = io.Run(() =>
                {
                    foreach (var (first, chunks) in plan.DiskRuns(next, from)) spill.ReadChunks(next, first, chunks, nextMirror);
                    spill.Release(next);
                });

                // the rows, a group at a time as workers free up, so a core lent to the spill's I/O delays no one
                int groups = (count + GroupRows - 1) / GroupRows;
                var slots = plan.SlotsOf(bi); // chunks that waited in κ's tail are read where they are
                Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = threads },
                    () => reducers.TryTake(out var idle) ? idle : new RowReduction(n, k, include),
                    (group, _, reducer) =>
                    {
                        int row0 = group * GroupRows;
                        var pieces = reducer.Pieces(bi + 1);
                        for (int row = row0; row < Math.Min(count, row0 + GroupRows); row++)
                        {
                            for (int c = 0; c < bi; c++)
                            {
                                pieces.Pointers[c] = (nint)(slots[c] < 0 ? mirror + ((long)c * count + row) * block : kappa + plan.SlotOffset(slots[c]) + (long)row * block);
                                pieces.Starts[c] = c * block; pieces.Lengths[c] = block;
                            }
                            pieces.Pointers[bi] = (nint)(kappa + (long)row * cols);
                            pieces.Starts[bi] = start; pieces.Lengths[bi] = cols;
                            int i = start + row;
                            var (sum, m, sdev, lse) = reducer.Reduce(pieces, i, nbIndex.AsSpan(i * k, k), nbValue.AsSpan(i * k, k));
                            mksd[i] = sum; mean[i] = m; sd[i] = sdev; logMsksd[i] = lse;
                        }
                        return reducer;
                    },
                    reducers.Add);
                rows += Lap(clock);

                if (right > 0)
                {
                    // the next block's chunk of this one never touches the disk: it is the first chunk of the transpose,
                    // copied to its slot in the other buffer once block bi − 1's transpose there is on disk
                    writes[(bi + 1) % 2].GetAwaiter().GetResult();
                    wait += Lap(clock);
                    int nextRows = Math.Min(block, n - next * block);
                    Buffer.MemoryCopy(transposed, nextMirror + (long)bi * nextRows * block, (long)nextRows * block * sizeof(float), (long)nextRows * block * sizeof(float));
                    // the later chunks go to disk, or to κ's free tail where the plan has a slot: block bi + 1 computes
                    // meanwhile into the head of the buffer, which no longer reaches slots 0..bi
                    writes[bi % 2] = io.Run(() =>
                    {
                        for (int bj = from + 2; bj < blocks; bj++)
                        {
                            float* chunk = transposed + (long)(bj * block - start - count) * count;
                            int slot = plan.Slot(from, bj);
                            long bytes = (long)Math.Min(block, n - bj * block) * count * sizeof(float);
                            if (slot < 0) spill.WriteChunk(from, bj, chunk);
                            else Buffer.MemoryCopy(chunk, kappa + plan.SlotOffset(slot), bytes, bytes);
                        }
                    });
                }
                progress?.Report(bi + 1);
            }
            Task.WhenAll(writes).GetAwaiter().GetResult();
        }
        finally
        {
            // never free buffers under a transfer still in flight
            try { Task.WaitAll([.. writes, read]); } catch (AggregateException) when (writes.Any(w => w.IsFaulted) || read.IsFaulted) { }
        }
        progress?.Finish();
        return new KernelStatistics(n, k, mksd, logMsksd, mean, sd, nbIndex, nbValue, 0, 1)
        {
            Strategy = $"symmetric: block triangle of the products (FMA chains, {FmaGemm.Widest}), mirror half spilled to {Path.GetDirectoryName(spill.Path)} " +
                $"({Size(spill.Written)}, {(spill.Direct ? "O_DIRECT" : "buffered")}; {Size(plan.ResidentFloats * sizeof(float))} waited in κ's free tail)",
            PhaseSeconds = new() { ["setup"] = setup, ["products_and_kappa"] = products, ["row_statistics"] = rows, ["spill_wait"] = wait },
        };
    }

    /// <summary>Rows per task of the reduction: a few rows' pieces at a time, handed out as workers free up.</summary>
    const int GroupRows = 16;

    /// <summary>
    /// Seconds of the pass's products alone, the benchmark's reference: the block triangles of X Xᵀ and U Uᵀ by
    /// <see cref="FmaGemm"/> on the pass's operands and blocks, into row-major buffers, without κ, reductions or spill.
    /// </summary>
    public static double ProductsSeconds(RbfKernel kernel, Tensor x, Tensor s, ScoringOptions options)
    {
        int n = (int)x.shape[0];
        int block = options.BlockFor(n);
        int threads = Math.Max(1, get_num_threads());
        using var operands = Operands(kernel, x, s);
        using var xx = new AlignedBuffer((long)Math.Min(block, n) * n);
        using var uu = new AlignedBuffer((long)Math.Min(block, n) * n);
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < n; start += block)
        {
            int count = Math.Min(block, n - start), cols = n - start;
            FmaGemm.Products(operands.X, start, count, operands.X, start, cols, xx.Pointer, cols, threads);
            FmaGemm.Products(operands.U, start, count, operands.U, start, cols, uu.Pointer, cols, threads);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>FLOPs of the pass's products for n points of d columns: X Xᵀ and U Uᵀ over each block's triangle, 2·d per entry.</summary>
    public static double ProductFlops(long n, long d, int block)
    {
        double flops = 0;
        for (long start = 0; start < n; start += block) flops += 2.0 * 2 * d * Math.Min(block, n - start) * (n - start);
        return flops;
    }

    /// <summary>The packed operands and per-point constants of x and s (any dtype; float32 copies only while packing).</summary>
    static RbfOperands Operands(RbfKernel kernel, Tensor x, Tensor s)
    {
        using var xs = x.to(ScalarType.Float32).contiguous();
        using var ss = s.to(ScalarType.Float32).contiguous();
        fixed (byte* xp = xs.bytes, sp = ss.bytes)
            return new RbfOperands((float*)xp, (float*)sp, (int)x.shape[0], (int)x.shape[1], kernel.H);
    }

    static string Size(long bytes) => bytes >= 1e9 ? $"{bytes / 1e9:F1} GB" : $"{bytes / 1e6:F1} MB";

    static double Lap(Stopwatch clock) { double s = clock.Elapsed.TotalSeconds; clock.Restart(); return s; }
}
