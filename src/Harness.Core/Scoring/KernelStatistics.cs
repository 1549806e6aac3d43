namespace Harness.Scoring;

/// <summary>
/// What one streaming pass over κ yields per point: MKSD_i = Σ_j κ(i,j), log MSKSD_i = log Σ_j exp(κ̂(i,j)), the mean and
/// standard deviation used to standardise row i, and the top-K neighbours j ≠ i by κ(i,j) (row-major n×K, largest first).
/// Sums run over j ≠ i unless the diagonal is included.
/// </summary>
public sealed record KernelStatistics(
    int N, int K, double[] Mksd, double[] LogMsksd, double[] RowMean, double[] RowSd,
    int[] NeighborIndex, float[] NeighborValue, double StandardizeMean, double StandardizeSd)
{
    /// <summary>Seconds spent in each part of the pass (for meta.json and the benchmark).</summary>
    public Dictionary<string, double> PhaseSeconds { get; init; } = new();
    /// <summary>How the pass ran: symmetric with a spill, or complete rows per block.</summary>
    public string Strategy { get; init; } = "";

    public ReadOnlySpan<int> Neighbors(int i) => NeighborIndex.AsSpan(i * K, K);
    public ReadOnlySpan<float> NeighborValues(int i) => NeighborValue.AsSpan(i * K, K);
}
