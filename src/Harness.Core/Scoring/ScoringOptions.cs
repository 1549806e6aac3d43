
namespace Harness.Scoring;

/// <summary>What the Stein score differentiates (docs/method.md).</summary>
[ChoiceOf("score")] public enum ScoreFunction { LogSoftmax, Logit, Logsumexp }
[ChoiceOf("kernel")] public enum KernelKind { Rbf, Imq }
[ChoiceOf("diagonal mode")] public enum DiagonalMode { Exclude, Include }
[ChoiceOf("standardisation")] public enum Standardization { Row, Global }
[ChoiceOf("SSN mode")] public enum SsnMode { Input, Params }
[ChoiceOf("precision")] public enum Precision { Float32, Float64 }
[ChoiceOf("spill mode")] public enum SpillMode { Auto, Off }
/// <summary>docs/method.md, "Kernel space": the input x alone, or the authors' joint (x, onehot(y)) space.</summary>
[ChoiceOf("kernel space")] public enum KernelSpace { Input, Joint }
/// <summary>What x is: the flattened input, or the representation entering the last linear layer.</summary>
[ChoiceOf("features")] public enum FeatureSpace { Input, Penultimate }
/// <summary>Which training points are ranked (docs/method.md): all (the paper's protocol) or those the original model classifies correctly.</summary>
[ChoiceOf("candidates")] public enum Candidates { All, Correct }

/// <summary>
/// Every choice of docs/method.md that changes a score, recorded with the results. Defaults are docs/method.md's decisions;
/// the alternatives are the paper's other readings.
/// </summary>
public sealed record ScoringOptions
{
    /// <summary>`log_softmax` (∇ₓ log p(y|x), default), `logit` (∇ₓ f(x)_y) or `logsumexp` (∇ₓ log Σ_c exp f(x)_c).</summary>
    [Setting("score", "what the Stein score differentiates")] public ScoreFunction Score { get; init; } = ScoreFunction.LogSoftmax;
    /// <summary>`rbf` (default) or `imq`.</summary>
    [Setting("kernel", "base kernel")] public KernelKind Kernel { get; init; } = KernelKind.Rbf;
    /// <summary>`input` (x alone, default) or `joint` (a = [x, onehot(y)], s = [∇ₓ log p(y|x), softmax p(·|x)]).</summary>
    [Setting("space", "kernel space: x alone, or the authors' joint [x, onehot(y)] with score [∇ₓ log p(y|x), softmax]")] public KernelSpace Space { get; init; } = KernelSpace.Input;
    /// <summary>`input` (the flattened image, default) or `penultimate` (the representation entering the last linear layer; the score is taken with respect to it).</summary>
    [Setting("features", "what x is: the flattened input, or the representation entering the last linear layer")] public FeatureSpace Features { get; init; } = FeatureSpace.Input;
    /// <summary>RBF bandwidth: `median` (default), `dimension` (h² = feature columns), or a fixed h.</summary>
    [Setting("bandwidth", "RBF bandwidth: median heuristic, h² = feature columns (dimension), or a fixed h")] public Bandwidth Bandwidth { get; init; } = Bandwidth.Median;
    /// <summary>Points in the seeded median-heuristic sample (at most this many).</summary>
    public int BandwidthSample { get; init; } = 2000;
    public int BandwidthSeed { get; init; }
    /// <summary>IMQ k = (c² + ‖a−b‖²)^β.</summary>
    [Setting("imq_c", "IMQ c", Min = 0, ExclusiveMin = true)] public double ImqC { get; init; } = 1.0;
    [Setting("imq_beta", "IMQ β, in (−1, 0)", Min = -1, Max = 0, ExclusiveMin = true)] public double ImqBeta { get; init; } = -0.5;
    /// <summary>`exclude` (sums over j ≠ i, default) or `include` (Eq. 6 read literally).</summary>
    [Setting("diagonal", "sum over j ≠ i (exclude) or all j (include)")] public DiagonalMode Diagonal { get; init; } = DiagonalMode.Exclude;
    /// <summary>`row` (κ standardised per row before MSKSD, default) or `global`.</summary>
    [Setting("standardize", "standardise κ per row or globally before MSKSD")] public Standardization Standardize { get; init; } = Standardization.Row;
    /// <summary>`input` (‖∇ₓ log p‖, default) or `params` (‖∇_θ log p‖, one backward per point).</summary>
    [Setting("ssn", "SSN from the input gradient or the parameter gradient")] public SsnMode Ssn { get; init; } = SsnMode.Input;
    /// <summary>Neighbours kept per point for removal expansion.</summary>
    [Setting("top_k", "neighbours kept per point", Min = 0, Max = 1_000_000)] public int TopK { get; init; } = 700;
    /// <summary>Rows of κ per streamed block; 0 picks a block of about 256 MB.</summary>
    [Setting("block_size", "rows of κ per block; 0 = about 256 MB", Min = 0, Max = 1_000_000)] public int BlockSize { get; init; }
    /// <summary>
    /// `auto` (default): the RBF float32 row-standardised pass computes each κ entry once and spills the mirror half to a
    /// scratch file (n²/2 float32: 5.7 GB for MNIST); `off`: every block recomputes its complete rows, no disk.
    /// </summary>
    [Setting("spill", "auto: each κ entry once, mirror half spilled to disk; off: complete rows, no disk")] public SpillMode Spill { get; init; } = SpillMode.Auto;
    /// <summary>Where the spill goes: null means HARNESS_SCRATCH, else the system temp directory.</summary>
    [Setting("scratch", "directory of the spill file")] public string? Scratch { get; init; }
    /// <summary>`float32` (default) or `float64` for the kernel pass.</summary>
    [Setting("precision", "precision of the kernel pass")] public Precision Precision { get; init; } = Precision.Float32;
    /// <summary>Batch size of the Stein-score backward passes (small batches keep the activations in cache; see <see cref="Evaluation.Evaluator.Batch"/>).</summary>
    public int ScoreBatch { get; init; } = 256;

    /// <summary>
    /// Rows of κ per block for n points: the configured size, else about 256 MB of float32 rounded to a multiple of 128
    /// rows, so every spilled chunk is 512-byte aligned for O_DIRECT.
    /// </summary>
    public int BlockFor(long n) => BlockSize > 0 ? BlockSize : (int)Math.Clamp(((64L << 20) / Math.Max(1, n) + 127) / 128 * 128, 128, 4096);

    [System.Text.Json.Serialization.JsonIgnore]
    public string ScratchDirectory => Scratch ?? (Environment.GetEnvironmentVariable("HARNESS_SCRATCH") is { Length: > 0 } env ? env : Path.GetTempPath());

    [System.Text.Json.Serialization.JsonIgnore]
    public TorchSharp.torch.ScalarType DType => Precision == Precision.Float64 ? TorchSharp.torch.ScalarType.Float64 : TorchSharp.torch.ScalarType.Float32;

    /// <summary>The choices that change κ (and so scores and neighbours) where these options and <paramref name="other"/> differ: (name, this, other).</summary>
    public IReadOnlyList<(string Name, object This, object Other)> KappaDifferences(ScoringOptions other) => new (string Name, object This, object Other)[]
    {
        ("score", Score, other.Score), ("kernel", Kernel, other.Kernel), ("bandwidth", Bandwidth, other.Bandwidth),
        ("space", Space, other.Space), ("features", Features, other.Features),
        ("bandwidth_sample", BandwidthSample, other.BandwidthSample), ("bandwidth_seed", BandwidthSeed, other.BandwidthSeed),
        ("imq_c", ImqC, other.ImqC), ("imq_beta", ImqBeta, other.ImqBeta), ("precision", Precision, other.Precision),
    }.Where(d => !Equals(d.This, d.Other)).ToList();

    public void Validate()
    {
        SettingsSchema.Validate(this, "scoring");
        if (BandwidthSample < 2) throw new HarnessException($"bandwidth sample {BandwidthSample} must be at least 2.");
        if (!(ImqC > 0) || !(ImqBeta < 0 && ImqBeta > -1)) throw new HarnessException($"IMQ needs c > 0 and −1 < β < 0 (got c {ImqC}, β {ImqBeta}).");
        if (ScoreBatch < 1) throw new HarnessException($"score batch {ScoreBatch} must be at least 1.");
    }
}
