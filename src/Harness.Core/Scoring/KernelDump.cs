using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// X, S and the full M×M Stein kernel (diagonal included) of the first M points, as the pass sees them (joint columns
/// included), row-major: what `harness score --dump-kernel M` writes for checking the pass against a direct computation.
/// </summary>
public sealed record KernelDump(float[] X, long XColumns, float[] S, long SColumns, float[] K)
{
    public static KernelDump Of(BaseKernel kernel, KernelInputs inputs, int m)
    {
        using var scope = NewDisposeScope();
        var xm = inputs.X.narrow(0, 0, m).contiguous();
        var sm = inputs.S.narrow(0, 0, m).contiguous();
        using var prepared = kernel.Prepare(xm, sm);
        var k = kernel.SteinBlock(prepared, 0, m).contiguous();
        return new KernelDump(xm.data<float>().ToArray(), xm.shape[1], sm.data<float>().ToArray(), sm.shape[1], k.data<float>().ToArray());
    }
}
