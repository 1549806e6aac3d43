using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Harness.Numerics;

/// <summary>
/// Which numeric kernels LibTorch and the harness may use, so that a verified baseline holds on another CPU.
/// The same computation gives different last bits (a different summation order) with AVX2 and AVX-512 kernels, and
/// with Intel's and AMD's: measured, the `ci` matrix on an AVX2-only EPYC differed from its AVX-512-made baseline in
/// 181 of 640 values, and on an Intel Xeon capped at AVX2 it differed from its AMD-made baseline in 926 (another MNIST
/// checkpoint altogether). Modes (HARNESS_CPU_ISA):
/// - `portable` (default): every library capped at AVX2 — LibTorch's ATen kernels (ATEN_CPU_CAPABILITY), MKL
///   (MKL_ENABLE_INSTRUCTIONS), oneDNN (ONEDNN_MAX_CPU_ISA) — and in addition MKL in its conditional-reproducibility
///   branch COMPATIBLE (MKL_CBWR: the one branch Intel documents for non-Intel processors; every other branch falls
///   back to MKL's own per-CPU dispatch on AMD). MKL computes the linear layers and every GEMM of the kernel pass.
///   oneDNN (the convolutions) stays on: under the AVX2 cap LibTorch's convolutions run oneDNN's `jit:avx2` kernels,
///   whose blocking in oneDNN 3.7.1's source depends on the shapes and the thread count (the L1 size only caps the
///   threads of tiny problems at 4); ONEDNN_VERBOSE=1 names them. Switching oneDNN off made cnn2 training 3× slower.
/// - `avx2`: the caps alone (faster; results match only CPUs of the same vendor and family).
/// - `native`: no caps, widest vectors (fastest on AVX-512; results match only that CPU family).
/// A variable the user already set is left alone. The mode is part of every cache key and fingerprint.
/// Even in portable mode an AMD EPYC (Zen 5) and an Intel Xeon differed in the last bits (measured): LibTorch's square
/// root goes to MKL's vector maths, which follows the CPU (Numerics.PortableMath); baselines are kept per <see cref="NumericsClass"/>.
/// </summary>
public static class CpuIsa
{
    public static string Mode { get; } = Environment.GetEnvironmentVariable("HARNESS_CPU_ISA") is { Length: > 0 } m ? m.Trim().ToLowerInvariant() : "portable";

    /// <summary>Whether the harness's own loops may use 512-bit vectors.</summary>
    public static bool Use512 => Mode == "native" && Vector512.IsHardwareAccelerated;

    /// <summary>What numeric code runs with, for fingerprints and provenance.</summary>
    public static string Describe() => Mode switch
    {
        "native" => $"native ({(Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "128-bit")})",
        "avx2" => "avx2 (capped)",
        _ => "portable (AVX2 cap, MKL COMPATIBLE)",
    };

    /// <summary>The mistake in HARNESS_CPU_ISA, if any (the command line reports it; an unknown value runs portable meanwhile).</summary>
    public static string? Problem => Mode is "portable" or "avx2" or "native" ? null : $"HARNESS_CPU_ISA '{Mode}' is unknown; allowed: portable (the default), avx2, native.";

    static bool Capped => Mode != "native" && OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
    static bool Portable => Capped && Mode != "avx2";

    [ModuleInitializer]
    internal static void Pin()
    {
        if (!Capped) return;
        // Native code reads its environment with getenv(), which does not see .NET's Environment.SetEnvironmentVariable.
        SetIfUnset("ATEN_CPU_CAPABILITY", "avx2");
        SetIfUnset("MKL_ENABLE_INSTRUCTIONS", "AVX2");
        SetIfUnset("ONEDNN_MAX_CPU_ISA", "AVX2");
        if (Portable) SetIfUnset("MKL_CBWR", "COMPATIBLE");
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
