using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Harness.Scoring;

/// <summary>
/// exp for eight float32 lanes, computed in float32 (the library's Vector256.Exp widens to double, twice the work):
/// Cody–Waite reduction x = n·ln 2 + r, |r| ≤ ln 2 / 2, and Cephes' degree-6 polynomial for e^r, then 2^n in the
/// exponent bits. Relative error below 3e-7 (tested against Math.Exp); arguments below ln(FLT_MIN) give 0. The clamps and the
/// conversion are the native instructions: n is already integral and in range, and with x as the second operand vmaxps/vminps
/// pass a NaN through, so the portable forms' NaN and saturation fix-ups would change nothing but the time (about 12 %).
/// </summary>
public static class FastExp
{
    internal const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    internal const float Lowest = -87.3365448f, Highest = 88.7228394f; // ln(FLT_MIN), ln(FLT_MAX)
    /// <summary>The polynomial's coefficients, highest degree first (RowReduction's four-at-a-time sweep uses them too).</summary>
    internal const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
        P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var underflow = Vector256.LessThan(x, Vector256.Create(Lowest));
        x = Vector256.MinNative(Vector256.Create(Highest), Vector256.MaxNative(Vector256.Create(Lowest), x));
        var n = Vector256.Floor(x * Vector256.Create(Log2E) + Vector256.Create(0.5f));
        var r = x - n * Vector256.Create(Ln2Hi) - n * Vector256.Create(Ln2Lo);
        var p = Vector256.Create(P0);
        p = p * r + Vector256.Create(P1);
        p = p * r + Vector256.Create(P2);
        p = p * r + Vector256.Create(P3);
        p = p * r + Vector256.Create(P4);
        p = p * r + Vector256.Create(P5);
        p = p * (r * r) + r + Vector256<float>.One;
        // n ∈ [−126, 128]: 2^n in two factors keeps the exponent field valid at both ends
        var ni = Vector256.ConvertToInt32Native(n);
        var half = Vector256.ShiftRightArithmetic(ni, 1);
        var scaleA = Vector256.ShiftLeft(half + Vector256.Create(127), 23).AsSingle();
        var scaleB = Vector256.ShiftLeft(ni - half + Vector256.Create(127), 23).AsSingle();
        return Vector256.AndNot(p * scaleA * scaleB, underflow.AsSingle());
    }

    /// <summary>The same for sixteen lanes, where AVX-512 runs them natively.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var underflow = Vector512.LessThan(x, Vector512.Create(Lowest));
        x = Vector512.MinNative(Vector512.Create(Highest), Vector512.MaxNative(Vector512.Create(Lowest), x));
        var n = Vector512.Floor(x * Vector512.Create(Log2E) + Vector512.Create(0.5f));
        var r = x - n * Vector512.Create(Ln2Hi) - n * Vector512.Create(Ln2Lo);
        var p = Vector512.Create(P0);
        p = p * r + Vector512.Create(P1);
        p = p * r + Vector512.Create(P2);
        p = p * r + Vector512.Create(P3);
        p = p * r + Vector512.Create(P4);
        p = p * r + Vector512.Create(P5);
        p = p * (r * r) + r + Vector512<float>.One;
        var ni = Vector512.ConvertToInt32Native(n);
        var half = Vector512.ShiftRightArithmetic(ni, 1);
        var scaleA = Vector512.ShiftLeft(half + Vector512.Create(127), 23).AsSingle();
        var scaleB = Vector512.ShiftLeft(ni - half + Vector512.Create(127), 23).AsSingle();
        return Vector512.AndNot(p * scaleA * scaleB, underflow.AsSingle());
    }

    /// <summary>The scalar form of the same computation, for loop tails.</summary>
    public static float Exp(float x) => Exp(Vector256.Create(x)).ToScalar();
}
