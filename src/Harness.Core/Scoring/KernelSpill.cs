using Harness.Util;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Harness.Scoring;

/// <summary>
/// The scratch file of the symmetric kernel pass: the mirror half of κ, written once per computed block and read back
/// when the rows it belongs to are reduced, then deleted. Region J holds, for the rows of block J, the κ values
/// against every earlier block (J chunks of rows(J) × block floats, chunk I = the transpose of block (I, J)).
/// On Linux x64 the file bypasses the page cache (O_DIRECT) when every transfer is 512-byte aligned, so memory stays
/// O(block·n) and the data really goes to disk; otherwise it is an ordinary buffered file.
/// </summary>
public sealed unsafe class KernelSpill : IDisposable
{
    const int F_GETFL = 3, F_SETFL = 4, O_DIRECT_X64 = 0x4000;
    public const int Alignment = 4096;

    const int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;

    [DllImport("libc", SetLastError = true)] static extern int fcntl(SafeFileHandle fd, int cmd, int arg);
    [DllImport("libc", SetLastError = true)] static extern int fallocate(SafeFileHandle fd, int mode, long offset, long length);

    readonly SafeFileHandle handle;
    readonly int n, block;

    public string Path { get; }
    /// <summary>Bytes the file can reach: the strict block triangle of κ.</summary>
    public long Bytes { get; }
    /// <summary>Bytes written so far (chunks that waited elsewhere leave holes).</summary>
    public long Written => Interlocked.Read(ref written);
    long written;
    public bool Direct { get; }

    public KernelSpill(string directory, int n, int block)
    {
        this.n = n; this.block = block;
        Bytes = SpillBytes(n, block);
        CheckSpace(directory, Bytes);
        Path = System.IO.Path.Combine(directory, $"harness-kappa-{Environment.ProcessId}-{Guid.NewGuid():N}.spill");
        // On Unix the name is removed at once: the open handle keeps the data, and a killed run leaves nothing behind.
        bool unix = !OperatingSystem.IsWindows();
        handle = File.OpenHandle(Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, unix ? FileOptions.None : FileOptions.DeleteOnClose);
        if (unix) File.Delete(Path);
        Direct = block % 128 == 0 && OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 && TryDirect(handle);
    }

    /// <summary>Throws a clear error when directory cannot hold the spill of n points in blocks of block rows.</summary>
    public static void CheckSpace(string directory, int n, int block) => CheckSpace(directory, SpillBytes(n, block));

    /// <summary>Bytes of the strict block triangle: everything up to the end of the last region.</summary>
    static long SpillBytes(int n, int block) => RegionOffset(n, block, (n + block - 1) / block) * sizeof(float);

    static void CheckSpace(string directory, long bytes)
    {
        try { Directory.CreateDirectory(directory); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HarnessException($"the scratch directory {directory} cannot be created ({e.Message}): point --scratch (or HARNESS_SCRATCH) elsewhere, or set spill: off.");
        }
        long free = new DriveInfo(System.IO.Path.GetFullPath(directory)).AvailableFreeSpace;
        if (free < bytes + (256L << 20))
            throw new HarnessException($"the symmetric kernel pass needs {bytes / 1e9:F1} GB of scratch space in {directory} " +
                $"but {free / 1e9:F1} GB is free: point --scratch (or HARNESS_SCRATCH) at a larger disk, or set spill: off to recompute the mirror half instead.");
    }

    static bool TryDirect(SafeFileHandle h)
    {
        int flags = fcntl(h, F_GETFL, 0);
        return flags >= 0 && fcntl(h, F_SETFL, flags | O_DIRECT_X64) == 0; // tmpfs and some file systems refuse O_DIRECT
    }

    int Rows(int b) => Math.Min(block, n - b * block);

    long RegionOffset(int j) => RegionOffset(n, block, j);

    /// <summary>Offset, in floats, of region j (j = the block count: the end of the file): regions 1..j−1 come first.</summary>
    static long RegionOffset(int n, int block, int j)
    {
        int blocks = (n + block - 1) / block;
        long full = Math.Min(j, blocks - 1);              // every block before the last is full
        long offset = (long)block * block * (full * (full - 1) / 2);
        if (j == blocks) offset += (long)(blocks - 1) * (n - (blocks - 1) * block) * block;
        return offset;
    }

    /// <summary>Writes the transpose of block (i, j) (rows(j) × block floats) to its place in region j.</summary>
    public void WriteChunk(int i, int j, float* data)
    {
        long floats = (long)Rows(j) * block;
        long offset = (RegionOffset(j) + i * floats) * sizeof(float);
        Transfer(data, floats * sizeof(float), offset, write: true);
        Interlocked.Add(ref written, floats * sizeof(float));
    }

    /// <summary>Reads region j (j chunks of rows(j) × block floats, chunk-major) into data, or only its first chunks.</summary>
    public void ReadRegion(int j, float* data, int? chunks = null) => ReadChunks(j, 0, chunks ?? j, data);

    /// <summary>Reads chunks first..first+count−1 of region j into data, at their places in the region's layout.</summary>
    public void ReadChunks(int j, int first, int count, float* data)
    {
        long floats = (long)Rows(j) * block;
        Transfer(data + first * floats, count * floats * sizeof(float), (RegionOffset(j) + first * floats) * sizeof(float), write: false);
    }

    /// <summary>Frees the disk space of region j once it has been read (where the file system can punch holes), so the
    /// file never occupies much more than its live half, n²/4 floats, and deleting it at the end is quick.</summary>
    public void Release(int j)
    {
        if (!OperatingSystem.IsLinux()) return;
        long floats = (long)j * Rows(j) * block;
        if (floats > 0) fallocate(handle, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, RegionOffset(j) * sizeof(float), floats * sizeof(float));
    }

    const int PieceBytes = 16 << 20;

    /// <summary>Moves bytes in 16 MB pieces, up to four at a time: a disk serves several requests in flight faster than one.</summary>
    void Transfer(float* data, long bytes, long offset, bool write)
    {
        long pieces = (bytes + PieceBytes - 1) / PieceBytes;
        nint origin = (nint)data;
        try
        {
            Parallel.For(0L, pieces, new ParallelOptions { MaxDegreeOfParallelism = 4 }, p => TransferPiece(origin + (nint)(p * PieceBytes),
                (int)Math.Min(PieceBytes, bytes - p * PieceBytes), offset + p * PieceBytes, write));
        }
        catch (AggregateException e) when (e.InnerException is IOException io)
        {
            throw new HarnessException($"the kernel spill in {System.IO.Path.GetDirectoryName(Path)} failed: {io.Message} " +
                "Point --scratch (or HARNESS_SCRATCH) at a disk with room, or set spill: off to recompute the mirror half instead.");
        }
    }

    void TransferPiece(nint address, int length, long offset, bool write)
    {
        var span = new Span<byte>((void*)address, length);
        if (write) { RandomAccess.Write(handle, span, offset); return; }
        for (int done = 0; done < length;)
        {
            int got = RandomAccess.Read(handle, span[done..], offset + done);
            if (got <= 0) throw new IOException($"the file ended early at byte {offset + done}.");
            done += got;
        }
    }

    public void Dispose() => handle.Dispose();
}

/// <summary>
/// The one background thread that moves the spill, in submission order (so a region is read only after the writes
/// queued before it), at a lower CPU priority than the products' threads: their OpenMP workers wait for each other,
/// so a core taken by I/O for a moment stalls both, whereas the transfers themselves mostly wait for the disk.
/// </summary>
public sealed class SpillWorker : IDisposable
{
    const int PRIO_PROCESS = 0;
    [DllImport("libc", SetLastError = true)] static extern int setpriority(int which, int who, int priority);
    [DllImport("libc")] static extern int gettid();

    readonly System.Collections.Concurrent.BlockingCollection<(Action Work, TaskCompletionSource Done)> queue = new();
    readonly Thread thread;

    public SpillWorker()
    {
        thread = new Thread(Loop) { IsBackground = true, Name = "kernel spill" };
        thread.Start();
    }

    void Loop()
    {
        if (OperatingSystem.IsLinux()) setpriority(PRIO_PROCESS, gettid(), 10); // advice: refused, it only runs at normal priority
        foreach (var (work, done) in queue.GetConsumingEnumerable())
        {
            try { work(); done.SetResult(); }
            catch (Exception e) { done.SetException(e); }
        }
    }

    public Task Run(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add((work, done));
        return done.Task;
    }

    public void Dispose()
    {
        queue.CompleteAdding();
        thread.Join();
        queue.Dispose();
    }
}

/// <summary>
/// A native buffer aligned for O_DIRECT transfers; on Linux on 2 MB boundaries with transparent huge pages requested,
/// which cuts both the page faults of its first touch and the page pinning of every direct transfer by 512.
/// </summary>
public sealed unsafe class AlignedBuffer : IDisposable
{
    const int HugePage = HugePages.Size;

    public AlignedBuffer(long floats)
    {
        nuint bytes = (nuint)(Math.Max(1, floats) * sizeof(float));
        bool linux = OperatingSystem.IsLinux();
        if (linux) bytes = (bytes + HugePage - 1) / HugePage * HugePage;
        Pointer = (float*)NativeMemory.AlignedAlloc(bytes, (nuint)(linux ? HugePage : KernelSpill.Alignment));
        if (linux) HugePages.Advise(Pointer, bytes); // advice only: without THP it is refused and nothing changes
    }

    public float* Pointer { get; private set; }

    public void Dispose()
    {
        if (Pointer != null) NativeMemory.AlignedFree(Pointer);
        Pointer = null;
    }
}
