namespace Harness.Scoring;

/// <summary>
/// Where each chunk of the symmetric pass's mirror half waits between block i, which computes it (the transpose of block
/// (i, j), rows(j) × block floats), and block j, whose rows it completes: in the κ buffer's free tail or on disk. Block t's
/// κ rows fill only block·(n − t·block) of that buffer's block·n floats, so its last t slots of block² floats are free from
/// block t on, for good. Block i's chunks are placed while block i + 1 computes, so slots 0..i are free then, less those
/// still holding a chunk whose rows are not yet reduced; the shortest waits are placed first, the rest go to disk. No
/// memory is added, and a row's bits do not depend on where its chunks waited. For MNIST (n = 54,000, blocks of 1,280)
/// 22 % of the mirror half stays in memory: 1.2 GB less to write and read back.
/// </summary>
public sealed class MirrorPlan
{
    readonly Dictionary<(int I, int J), int> slots = new();
    readonly int n, block;

    public int Blocks { get; }
    /// <summary>Floats of the mirror that wait in the κ buffer, and on disk.</summary>
    public long ResidentFloats { get; }
    public long DiskFloats { get; }

    MirrorPlan(int n, int block, bool useTail)
    {
        this.n = n; this.block = block;
        Blocks = (n + block - 1) / block;
        var heldUntil = new int[Blocks]; // slot s holds a chunk until block heldUntil[s] has reduced its rows
        for (int i = 0; i < Blocks; i++)
        {
            int free = 0; // the lowest slot that may be free
            for (int j = i + 2; j < Blocks; j++) // chunk (i, i + 1) never waits: it is copied straight into the next block's mirror
            {
                long floats = (long)Rows(j) * block;
                while (useTail && free <= i && heldUntil[free] > i) free++;
                if (useTail && free <= i)
                {
                    slots[(i, j)] = free;
                    heldUntil[free] = j;
                    ResidentFloats += floats;
                }
                else DiskFloats += floats;
            }
        }
    }

    /// <summary>The plan that keeps what fits in the κ buffer's tail.</summary>
    public static MirrorPlan For(int n, int block) => new(n, block, useTail: true);

    /// <summary>Every chunk on disk (the pass before the tail was used; tests compare the two).</summary>
    public static MirrorPlan AllOnDisk(int n, int block) => new(n, block, useTail: false);

    int Rows(int j) => Math.Min(block, n - j * block);

    /// <summary>The κ-buffer slot where chunk (i, j) waits, or −1 when it waits on disk.</summary>
    public int Slot(int i, int j) => slots.TryGetValue((i, j), out var s) ? s : -1;

    /// <summary>The slots of region j's chunks 0..j−1 (−1: on disk, or copied into the mirror).</summary>
    public int[] SlotsOf(int j) => Enumerable.Range(0, j).Select(i => Slot(i, j)).ToArray();

    /// <summary>Offset, in floats, of slot s in a κ buffer of block·n floats: the buffer's end, slot 0 last.</summary>
    public long SlotOffset(int s) => (long)block * n - (long)(s + 1) * block * block;

    /// <summary>The chunks of region j among its first <paramref name="chunks"/> that wait on disk, as runs of consecutive chunks.</summary>
    public IEnumerable<(int First, int Count)> DiskRuns(int j, int chunks)
    {
        for (int c = 0; c < chunks;)
        {
            if (Slot(c, j) >= 0) { c++; continue; }
            int first = c;
            while (c < chunks && Slot(c, j) < 0) c++;
            yield return (first, c - first);
        }
    }
}
