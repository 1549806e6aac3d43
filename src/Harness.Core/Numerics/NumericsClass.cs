using System.Runtime.InteropServices;
using System.Text;

namespace Harness.Numerics;

/// <summary>
/// The machines whose results are expected to agree to the last bit, named the way a baseline's file name carries it:
/// the numeric mode (HARNESS_CPU_ISA), the CPU vendor and the widest vector instructions the CPU has, e.g.
/// `portable-intel-avx512`. Measured in portable mode: two Intel Xeon machines gave identical `ci` tables, while an AMD
/// EPYC (Zen 5) differed from the Intel-made baseline in the last bits of every value from the first training steps on
/// (losses about 1e-7 apart), which the main job's 3,600 training steps amplify into another checkpoint. The cause found
/// (LibTorch's square root in Adam, replaced by Training.PortableAdam) was checked only under an emulated Intel CPU, so
/// every verified table still keeps one baseline per class (<see cref="Harness.Experiments.Baselines"/>).
/// </summary>
public static class NumericsClass
{
    public static string Current { get; } = Of(CpuIsa.Mode, CpuInfo("vendor_id"), CpuInfo("flags"), RuntimeInformation.ProcessArchitecture);

    /// <summary>The class of a mode, a /proc/cpuinfo vendor_id and flags line (null where unknown), and an architecture.</summary>
    public static string Of(string mode, string? vendorId, string? flags, Architecture architecture)
    {
        string vendor = vendorId switch
        {
            "GenuineIntel" => "intel",
            "AuthenticAMD" => "amd",
            null or "" => architecture == Architecture.X64 ? "x86" : architecture.ToString().ToLowerInvariant(),
            _ => Slug(vendorId),
        };
        var set = (flags ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        string isa = set.Contains("avx512f") ? "avx512" : set.Contains("avx2") ? "avx2" : architecture == Architecture.X64 ? "sse" : "base";
        if (flags == null && architecture == Architecture.X64)
            isa = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "avx512" : System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "avx2" : "sse";
        return $"{Slug(mode)}-{vendor}-{isa}";
    }

    static string Slug(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s.ToLowerInvariant()) sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return sb.Length == 0 ? "unknown" : sb.ToString();
    }

    static string? CpuInfo(string field)
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return null;
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal) && l.IndexOf(':') is > 0 and var i && l[..i].Trim() == field);
            return line?[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
