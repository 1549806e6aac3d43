using TorchSharp;

namespace Harness.Numerics;

/// <summary>
/// The numbers the harness hands LibTorch as Scalars, held until the scope ends.
/// <para>
/// TorchSharp 0.107 turns a number passed where LibTorch takes a Scalar (<c>t.div_(255f)</c>, <c>t * 2</c>,
/// <c>alpha: 0.1</c>) into a <see cref="Scalar"/> object, and so do its own shorthands (<c>a + b</c> and <c>a.add_(b)</c> pass
/// <c>alpha: 1</c>, <c>t.square()</c> is <c>t.pow(2)</c>). Nothing holds that object once its handle is read, so a garbage
/// collection that another thread starts during the native call lets the finalizer free the Scalar while LibTorch
/// reads it: "Unknown scalar type" (most likely what crashed a CI worker), or a wrong value read silently. A Scalar from
/// <see cref="Of(double)"/> is held by this scope, which disposes it at its end, after the native calls that use it.
/// </para>
/// <para>
/// Every Scalar the harness passes comes from here, with the number's own type (an <c>int</c> 1 where TorchSharp passes
/// <c>1</c>, a <c>float</c> 255 where the code said <c>255f</c>), so LibTorch receives exactly what it did before: the same
/// calls, the same bits. <c>ScalarLifetimeTests</c> scans the compiled harness for any other way to make a Scalar.
/// </para>
/// </summary>
public sealed class HeldScalars : IDisposable
{
    readonly List<Scalar> held = new();

    public Scalar Of(double value) => Hold(value.ToScalar());
    public Scalar Of(float value) => Hold(value.ToScalar());
    public Scalar Of(int value) => Hold(value.ToScalar());
    public Scalar Of(long value) => Hold(value.ToScalar());

    Scalar Hold(Scalar s)
    {
        held.Add(s);
        return s;
    }

    public void Dispose()
    {
        foreach (var s in held) s.Dispose();
        held.Clear();
    }
}
