namespace Harness.Scoring;

/// <summary>
/// What the symmetric pass computes κ from, made straight from x and s without an n×d temporary: X and U = s − x/h²
/// packed for <see cref="FmaGemm"/>, and per point ‖x‖² and r = s·x/h² − ‖x‖²/h⁴. Every value is defined by its own
/// sequence of correctly rounded operations, so it is the same bits on every CPU: U elementwise in double, rounded once;
/// ‖x‖² and s·x summed in double in column order, and r from them in double, each rounded once to float32.
/// </summary>
public sealed unsafe class RbfOperands : IDisposable
{
    public PackedRows X { get; }
    public PackedRows U { get; }
    public float[] Sq { get; }
    public float[] R { get; }

    /// <param name="x">n×d row-major, contiguous.</param>
    /// <param name="s">n×d row-major, contiguous: the Stein scores.</param>
    public RbfOperands(float* x, float* s, int n, int d, double h)
    {
        double h2 = h * h, h4 = h2 * h2;
        var sq = new double[n];
        var sx = new double[n];
        X = new PackedRows(n, d, (row, destination) =>
        {
            float* xr = x + (long)row * d;
            double acc = 0;
            for (int k = 0; k < d; k++) { acc += (double)xr[k] * xr[k]; destination[k] = xr[k]; }
            sq[row] = acc;
        });
        U = new PackedRows(n, d, (row, destination) =>
        {
            float* xr = x + (long)row * d, sr = s + (long)row * d;
            double acc = 0;
            for (int k = 0; k < d; k++)
            {
                acc += (double)sr[k] * xr[k];
                destination[k] = (float)(sr[k] - xr[k] / h2);
            }
            sx[row] = acc;
        });
        Sq = sq.Select(v => (float)v).ToArray();
        R = Enumerable.Range(0, n).Select(i => (float)(sx[i] / h2 - sq[i] / h4)).ToArray();
    }

    public void Dispose()
    {
        X.Dispose();
        U.Dispose();
    }
}
