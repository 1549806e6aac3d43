using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Harness.Util;

/// <summary>
/// Which vector instruction set numeric code may use. The same computation gives different last bits with AVX2 and
/// AVX-512 kernels (a different summation order), which would make a verified baseline hold only on the CPU family
/// that made it: measured here, the `ci` matrix on an AVX2-only EPYC differed from its AVX-512-made baseline in 181 of
/// 640 values. So by default (HARNESS_CPU_ISA=avx2) every library is capped at AVX2 before it starts — LibTorch's
/// ATen kernels (ATEN_CPU_CAPABILITY), MKL (MKL_ENABLE_INSTRUCTIONS), oneDNN (ONEDNN_MAX_CPU_ISA) — and the harness's
/// own fused loops take their 256-bit path. A variable the user already set is left alone. HARNESS_CPU_ISA=native lets
/// everything use the widest vectors (faster on AVX-512 machines; results then match only that CPU family).
/// </summary>
public static class CpuIsa
{
    public static string Mode { get; } = Environment.GetEnvironmentVariable("HARNESS_CPU_ISA") is { Length: > 0 } m ? m.Trim().ToLowerInvariant() : "avx2";

    /// <summary>Whether the harness's own loops may use 512-bit vectors.</summary>
    public static bool Use512 => Mode == "native" && Vector512.IsHardwareAccelerated;

    /// <summary>What numeric code runs with, for fingerprints and provenance: `avx2 (capped)` or `native (…)`.</summary>
    public static string Describe() => Mode == "native"
        ? $"native ({(Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "128-bit")})"
        : "avx2 (capped)";

    /// <summary>The mistake in HARNESS_CPU_ISA, if any (the command line reports it; an unknown value caps at AVX2 meanwhile).</summary>
    public static string? Problem => Mode is "avx2" or "native" ? null : $"HARNESS_CPU_ISA '{Mode}' is unknown; allowed: avx2 (the default), native.";

    [ModuleInitializer]
    internal static void Pin()
    {
        if (Mode == "native" || !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        // Native code reads its environment with getenv(), which does not see .NET's Environment.SetEnvironmentVariable.
        SetIfUnset("ATEN_CPU_CAPABILITY", "avx2");
        SetIfUnset("MKL_ENABLE_INSTRUCTIONS", "AVX2");
        SetIfUnset("ONEDNN_MAX_CPU_ISA", "AVX2");
    }

    static void SetIfUnset(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) != null) return;
        setenv(name, value, 0);
        Environment.SetEnvironmentVariable(name, value);
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi)]
    static extern int setenv(string name, string value, int overwrite);
}
