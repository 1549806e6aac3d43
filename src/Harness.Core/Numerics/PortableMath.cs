using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace Harness.Numerics;

/// <summary>
/// Elementwise maths whose bits do not depend on the CPU. LibTorch hands <c>Tensor.sqrt()</c> (and <c>pow(0.5)</c>) on
/// the CPU to MKL's vector maths (VML, high-accuracy mode), which is not correctly rounded and whose code path follows
/// the CPU even under MKL_CBWR=COMPATIBLE: `harness numerics` counted 14,253 of 100,000 float32 square roots off the
/// correctly rounded value on an AMD EPYC and 12,103 under an emulated Intel CPU, not the same ones. Adam takes a square
/// root of every parameter's second moment each step, so that alone gives the two vendors different checkpoints.
/// </summary>
public static class PortableMath
{
    /// <summary>√ of each element, correctly rounded (IEEE 754), for float32 and float64 CPU tensors; elsewhere LibTorch's.</summary>
    public static Tensor Sqrt(Tensor t)
    {
        if (t.device_type != TorchSharp.DeviceType.CPU || t.dtype is not (ScalarType.Float32 or ScalarType.Float64)) return t.sqrt();
        var result = t.contiguous().clone();
        if (result.dtype == ScalarType.Float32) Apply(MemoryMarshal.Cast<byte, float>(result.bytes));
        else Apply(MemoryMarshal.Cast<byte, double>(result.bytes));
        return result;
    }

    static void Apply<T>(Span<T> values) where T : unmanaged
    {
        // Vector256.Sqrt is vsqrtps/vsqrtpd (or a correctly rounded software loop): IEEE's one answer on every CPU.
        int i = 0;
        for (; i + Vector256<T>.Count <= values.Length; i += Vector256<T>.Count)
            Vector256.Sqrt(Vector256.Create<T>(values.Slice(i, Vector256<T>.Count))).CopyTo(values.Slice(i, Vector256<T>.Count));
        for (; i < values.Length; i++) values[i] = Vector128.Sqrt(Vector128.Create(values[i])).ToScalar();
    }
}
