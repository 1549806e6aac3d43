using Harness.Jobs;
using Harness.Scoring;
using Harness.Unlearning;

namespace Harness.Experiments;

/// <summary>How far a verified value may move: |received − verified| ≤ abs + rel·|verified|.</summary>
public sealed record Tolerance(double Abs, double Rel)
{
    public bool Holds(double verified, double received) =>
        (double.IsNaN(verified) && double.IsNaN(received)) || Math.Abs(received - verified) <= Abs + Rel * Math.Abs(verified);
}

/// <summary>One experiment matrix: its axes and its settings. Expanded into cells by <see cref="Matrices.Cells"/>.</summary>
public sealed record MatrixSpec
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public required string[] Datasets { get; init; }
    public required string[] Scorers { get; init; }
    public required Experiments.Side[] Sides { get; init; }
    /// <summary>Whether the matrix has the side of this name (`easy`, `hard`), as results name it.</summary>
    public bool HasSide(string name) => Sides.Any(s => Choice.Name(s) == name);
    public required int Points { get; init; }
    public required string[] Unlearners { get; init; }
    public required int[] Expansions { get; init; }
    public required int[] Seeds { get; init; }
    public TrainingOverrides Training { get; init; } = new();
    /// <summary>The kernel axis: one scoring profile per entry of `kernels:` (or the one `scoring:` gives), each named by <see cref="KernelProfile.Label"/>.</summary>
    public ScoringOptions[] Kernels { get; init; } = { new() };
    /// <summary>Which points the scorers rank when the cells pick their targets (docs/method.md).</summary>
    public Candidates Candidates { get; init; } = Candidates.All;
    /// <summary>`evaluation.remain_sample`: points of D_r the remaining-set metrics use (0 = all); the MIA's shadow members come first.</summary>
    public int RemainSample { get; init; }
    /// <summary>`workers`: cells run in this many processes at once, each with the training threads divided among them.</summary>
    public int Workers { get; init; } = 1;
    /// <summary>`population:`: the reference models of each data set and seed (null: none; no per-example evidence).</summary>
    public PopulationSpec? Population { get; init; }

    /// <summary>Threads of one cell: the training threads (0 = all cores) divided among the workers, at least 1.</summary>
    public int CellThreads(int trainingThreads) => Math.Max(1, trainingThreads / Workers);

    public ScoringOptions KernelNamed(string label) =>
        Kernels.FirstOrDefault(k => KernelProfile.Label(k) == label) ?? throw new HarnessException($"matrix {Name} has no kernel '{label}'; kernels: {string.Join(", ", Kernels.Select(KernelProfile.Label))}.");
    /// <summary>Per algorithm, the settings the matrix replaces (key → typed value; the rest keep Table 5).</summary>
    public Dictionary<string, IReadOnlyDictionary<string, object>> Unlearning { get; init; } = new();

    /// <summary>The settings of an algorithm in this matrix for a data set: Table 5 with the matrix's replacements.</summary>
    public UnlearnSettings UnlearnSettingsFor(string algorithm, string dataset) =>
        UnlearnerRegistry.Resolve(algorithm, dataset, Unlearning.GetValueOrDefault(algorithm));
    public Dictionary<string, Tolerance> Tolerances { get; init; } = new();

    /// <summary>Default tolerances of the verified table; `seconds` is wall-clock and never compared.</summary>
    public static readonly IReadOnlyDictionary<string, Tolerance> DefaultTolerances = new Dictionary<string, Tolerance>
    {
        ["original_forget_acc"] = new(1e-9, 0), ["forget_acc"] = new(1e-9, 0), ["forget_acc_drop"] = new(1e-9, 0), ["remain_acc"] = new(1e-9, 0), ["test_acc"] = new(1e-9, 0), ["mia_efficacy"] = new(1e-9, 0),
        ["mia_shadow_balanced_accuracy"] = new(1e-9, 0), ["mia_threshold"] = new(1e-6, 1e-4),
        ["phi_before"] = new(1e-6, 1e-4), ["phi_after"] = new(1e-6, 1e-4), ["p_out_before"] = new(1e-6, 1e-4), ["p_out_after"] = new(1e-6, 1e-4),
        ["lira_before"] = new(1e-6, 1e-4), ["lira_after"] = new(1e-6, 1e-4), ["member_before"] = new(1e-9, 0), ["member_after"] = new(1e-9, 0),
        ["forget_members_before"] = new(1e-9, 0), ["forget_members_after"] = new(1e-9, 0), ["remain_members_before"] = new(1e-9, 0), ["remain_members_after"] = new(1e-9, 0),
        ["forget_loss"] = new(1e-6, 1e-4), ["remain_loss"] = new(1e-6, 1e-4), ["test_loss"] = new(1e-6, 1e-4), ["distance"] = new(1e-6, 1e-4),
    };

    public Tolerance ToleranceOf(string column) =>
        Tolerances.TryGetValue(column, out var t) ? t : DefaultTolerances[column];
}
