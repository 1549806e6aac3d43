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
        // the control, so the check above can fail: fresh memory nobody advised (a new mapping; a managed array could
        // land where an earlier test's advised array was)
        nuint bytes = 8 * HugePages.Size;
        var plain = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(bytes);
        try { FlagsOf((nuint)plain + bytes / 2).Should().NotContain("hg"); }
        finally { System.Runtime.InteropServices.NativeMemory.Free(plain); }
        GC.KeepAlive(a);
    }

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
