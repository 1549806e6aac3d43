using System.Globalization;
using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests;

/// <summary>The kernel pass's large arrays are advised for huge pages before their first touch, and still start zeroed.</summary>
public unsafe class HugePagesTests
{
    [Test]
    public void ALargeArrayStartsZeroedWithItsLength()
    {
        var a = HugePages.NewArray<float>(3L * HugePages.Size);
        a.LongLength.Should().Be(3L * HugePages.Size);
        a.All(v => v == 0).Should().BeTrue();
    }

    [Test]
    public void TheKernelMarksALargeArrayForHugePages()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("transparent huge pages are a Linux feature");
        const string thp = "/sys/kernel/mm/transparent_hugepage/enabled";
        if (!File.Exists(thp) || File.ReadAllText(thp).Contains("[never]")) Assert.Ignore("transparent huge pages are off on this machine");
        var a = HugePages.NewArray<int>(4L * HugePages.Size);
        fixed (int* p = a)
            FlagsOf((nuint)(p + a.Length / 2)).Should().Contain("hg", "madvise(MADV_HUGEPAGE) sets VM_HUGEPAGE on the array's pages");
        // the control, so the check above can fail: fresh memory nobody advised, in a mapping of its own (a managed
        // array could land where an earlier test's advised array was, and malloc can hand back memory that the kernel
        // pass's buffers (KernelSpill's AlignedBuffer: malloc'd, then advised) had: CI once found "hg" on a
        // NativeMemory.Alloc block)
        nuint bytes = 8 * HugePages.Size;
        var plain = (byte*)mmap(null, bytes, ProtReadWrite, MapPrivateAnonymous, -1, 0);
        ((nint)plain).Should().NotBe(-1, "mmap of {0} bytes", bytes);
        try { FlagsOf((nuint)plain + bytes / 2).Should().NotContain("hg"); }
        finally { munmap(plain, bytes); }
        GC.KeepAlive(a);
    }

    const int ProtReadWrite = 0x1 | 0x2, MapPrivateAnonymous = 0x02 | 0x20;
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] static extern void* mmap(void* address, nuint length, int prot, int flags, int fd, nint offset);
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)] static extern int munmap(void* address, nuint length);

    /// <summary>The VmFlags of the mapping in /proc/self/smaps that holds address.</summary>
    static string[] FlagsOf(nuint address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-'), space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line[..dash], NumberStyles.HexNumber, null, out var from)
                && ulong.TryParse(line[(dash + 1)..space], NumberStyles.HexNumber, null, out var to))
                inside = from <= address && address < to;
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        throw new InvalidOperationException($"no mapping in /proc/self/smaps holds {address:X}");
    }
}
