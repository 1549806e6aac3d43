namespace Harness.Scoring;

/// <summary>
/// Every choice of METHOD.md §1 that changes a score, recorded with the results. Defaults are METHOD.md's decisions;
/// the alternatives are the paper's other readings.
/// </summary>
public sealed record ScoringOptions
{
    /// <summary>`log_softmax` (∇ₓ log p(y|x), default), `logit` (∇ₓ f(x)_y) or `logsumexp` (∇ₓ log Σ_c exp f(x)_c).</summary>
    public string Score { get; init; } = "log_softmax";
    /// <summary>`rbf` (default) or `imq`.</summary>
    public string Kernel { get; init; } = "rbf";
    /// <summary>A fixed RBF bandwidth h; null means the median heuristic.</summary>
    public double? Bandwidth { get; init; }
    /// <summary>Points in the seeded median-heuristic sample (at most this many).</summary>
    public int BandwidthSample { get; init; } = 2000;
    public int BandwidthSeed { get; init; }
    /// <summary>IMQ k = (c² + ‖a−b‖²)^β.</summary>
    public double ImqC { get; init; } = 1.0;
    public double ImqBeta { get; init; } = -0.5;
    /// <summary>`exclude` (sums over j ≠ i, default) or `include` (Eq. 6 read literally).</summary>
    public string Diagonal { get; init; } = "exclude";
    /// <summary>`row` (κ standardised per row before MSKSD, default) or `global`.</summary>
    public string Standardize { get; init; } = "row";
    /// <summary>`input` (‖∇ₓ log p‖, default) or `params` (‖∇_θ log p‖, one backward per point).</summary>
    public string Ssn { get; init; } = "input";
    /// <summary>Neighbours kept per point for removal expansion.</summary>
    public int TopK { get; init; } = 700;
    /// <summary>Rows of κ per streamed block; 0 picks a block of about 256 MB.</summary>
    public int BlockSize { get; init; }
    /// <summary>
    /// `auto` (default): the RBF float32 row-standardised pass computes each κ entry once and spills the mirror half to a
    /// scratch file (n²/2 float32: 5.7 GB for MNIST); `off`: every block recomputes its complete rows, no disk.
    /// </summary>
    public string Spill { get; init; } = "auto";
    /// <summary>Where the spill goes: null means HARNESS_SCRATCH, else the system temp directory.</summary>
    public string? Scratch { get; init; }
    /// <summary>`float32` (default) or `float64` for the kernel pass.</summary>
    public string Precision { get; init; } = "float32";
    /// <summary>Batch size of the Stein-score backward passes.</summary>
    public int ScoreBatch { get; init; } = 1000;

    /// <summary>
    /// Rows of κ per block for n points: the configured size, else about 256 MB of float32 rounded to a multiple of 128
    /// rows, so every spilled chunk is 512-byte aligned for O_DIRECT.
    /// </summary>
    public int BlockFor(long n) => BlockSize > 0 ? BlockSize : (int)Math.Clamp(((64L << 20) / Math.Max(1, n) + 127) / 128 * 128, 128, 4096);

    [System.Text.Json.Serialization.JsonIgnore]
    public string ScratchDirectory => Scratch ?? (Environment.GetEnvironmentVariable("HARNESS_SCRATCH") is { Length: > 0 } env ? env : Path.GetTempPath());

    public TorchSharp.torch.ScalarType DType => Precision == "float64" ? TorchSharp.torch.ScalarType.Float64 : TorchSharp.torch.ScalarType.Float32;

    public void Validate()
    {
        Check(nameof(Score), Score, "log_softmax", "logit", "logsumexp");
        Check(nameof(Kernel), Kernel, "rbf", "imq");
        Check(nameof(Diagonal), Diagonal, "exclude", "include");
        Check(nameof(Standardize), Standardize, "row", "global");
        Check(nameof(Ssn), Ssn, "input", "params");
        Check(nameof(Precision), Precision, "float32", "float64");
        Check(nameof(Spill), Spill, "auto", "off");
        if (Bandwidth is double h && !(h > 0 && double.IsFinite(h))) throw new HarnessException($"bandwidth {h} must be a positive number.");
        if (BandwidthSample < 2) throw new HarnessException($"bandwidth sample {BandwidthSample} must be at least 2.");
        if (!(ImqC > 0) || !(ImqBeta < 0 && ImqBeta > -1)) throw new HarnessException($"IMQ needs c > 0 and −1 < β < 0 (got c {ImqC}, β {ImqBeta}).");
        if (TopK < 0) throw new HarnessException($"top-K {TopK} must be 0 or more.");
        if (BlockSize < 0) throw new HarnessException($"block size {BlockSize} must be 0 (automatic) or more.");
        if (ScoreBatch < 1) throw new HarnessException($"score batch {ScoreBatch} must be at least 1.");
    }

    static void Check(string field, string value, params string[] allowed)
    {
        if (!allowed.Contains(value))
            throw new HarnessException($"scoring option {field.ToLowerInvariant()} '{value}' is unknown; use one of {string.Join(", ", allowed)}.");
    }
}
