namespace Harness.Experiments;

/// <summary>How a study draws its points: uniformly from the candidates, or across the population's memorization strata (<see cref="Study.StudySampling"/>).</summary>
[ChoiceOf("study sample")] public enum StudySample { Uniform, Strata }

/// <summary>
/// One validation study (docs/method.md), declared under `studies:` in experiments.yaml: N points drawn (seeded) from the
/// candidates of a matrix's model, every listed scorer's value on them (the KSD scores from one of the matrix's kernels),
/// the listed ground truths, and the statistics between the two.
/// </summary>
public sealed record StudySpec
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>The matrix whose trained model, training settings and kernel scores the study uses.</summary>
    public required string Matrix { get; init; }
    public required string Dataset { get; init; }
    /// <summary>The kernel profile of the matrix (its label, e.g. joint-dimension) whose scores and neighbours the study uses.</summary>
    public required string Kernel { get; init; }
    public Scoring.Candidates Candidates { get; init; } = Scoring.Candidates.Correct;
    /// <summary>How the points are drawn (`sample: uniform | strata`; strata need the matrix's population).</summary>
    public StudySample Sample { get; init; } = StudySample.Uniform;
    /// <summary>Points per seed.</summary>
    public required int N { get; init; }
    /// <summary>Each seed draws its own population (and seeds its bootstrap); summary.csv has a row per seed and a mean row when there are several.</summary>
    public int[] Seeds { get; init; } = { 0 };
    public required string[] Scorers { get; init; }
    public required string[] GroundTruths { get; init; }
    /// <summary>gt_ulira_eps and gt_klom: K, the population models that saw a point which are unlearned on it (at most M/2 are there).</summary>
    public int UliraModels { get; init; } = DefaultUliraModels;
    /// <summary>gt_steps: the probe's plain-SGD learning rate and its step cap T.</summary>
    public double ProbeLearningRate { get; init; } = DefaultProbeLearningRate;
    public int ProbeMaxSteps { get; init; } = DefaultProbeMaxSteps;
    /// <summary>gt_expansion: the ladder of k.</summary>
    public int[] Ladder { get; init; } = DefaultLadder;
    /// <summary>gt_collateral: test points the drop is measured on (the first N of a seeded permutation of the test set; 0 = all).</summary>
    public int CollateralTestSample { get; init; }
    /// <summary>Bootstrap resamples (at least the default, docs/method.md).</summary>
    public int Bootstrap { get; init; } = DefaultBootstrap;
    /// <summary>Per-point work runs in this many processes at once.</summary>
    public int Workers { get; init; } = 1;
    public Dictionary<string, Tolerance> Tolerances { get; init; } = new();

    /// <summary>What the ground truths read of these settings.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Study.ProbeSettings Probes => new(Matrix, ProbeLearningRate, ProbeMaxSteps, CollateralTestSample, Ladder, UliraModels);

    public const int DefaultUliraModels = 16, DefaultProbeMaxSteps = 100, DefaultBootstrap = 2000;
    public const double DefaultProbeLearningRate = 0.01;
    /// <summary>docs/method.md's ladder.</summary>
    public static readonly int[] DefaultLadder = { 0, 10, 30, 100, 300, 700 };


    /// <summary>Default tolerances of the verified summary: every statistic is deterministic on one machine.</summary>
    public static readonly IReadOnlyDictionary<string, Tolerance> DefaultTolerances = new Dictionary<string, Tolerance>
    {
        ["spearman"] = new(1e-9, 0), ["ci_low"] = new(1e-9, 0), ["ci_high"] = new(1e-9, 0), ["auroc"] = new(1e-9, 0),
    };

    public Tolerance ToleranceOf(string column) => Tolerances.TryGetValue(column, out var t) ? t : DefaultTolerances[column];
}
