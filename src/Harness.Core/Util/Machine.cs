namespace Harness.Util;

public static class Machine
{
    /// <summary>The CPU model: kernels (and so the last bits of a result, and every timing) differ between CPU families.</summary>
    static string CpuModel()
    {
        try
        {
            var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
            return line == null ? "CPU model unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return "CPU model unknown"; }
    }

    /// <summary>Cores, CPU model and the widest vectors the JIT uses: what a timing or a last-bit difference depends on.</summary>
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores ({CpuModel()}, {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "128-bit")} vectors), {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}";
}
