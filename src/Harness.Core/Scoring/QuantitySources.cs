using Harness.Data;
using Harness.Scoring.Scorers;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// What the per-point quantities of some training points are measured from (<see cref="PointQuantities.Measure"/>): the
/// original model on <see cref="Points"/> of <see cref="Train"/>, with the Stein settings of the run; where the run has
/// them, the kernel pass's scores of every training point, the trainer's learning events, and a population (its models
/// and, per model, which training points its half held). The one place scoring runs, studies and `harness forget` get
/// their quantities from, so a scorer reads the same quantity whichever of them runs it.
/// </summary>
public sealed record QuantitySources(nn.Module<Tensor, Tensor> Model, ImageSet Train, int[] Points, Device Device, ScoreFunction Score, int ScoreBatch, SsnMode Ssn)
{
    /// <summary>The Stein pass's result on exactly <see cref="Points"/>, where the caller computed it already (it stays the caller's).</summary>
    public SteinScoreResult? Stein { get; init; }
    /// <summary>The kernel pass's row statistics, one per point of <see cref="Points"/>.</summary>
    public double[]? Mksd { get; init; }
    public double[]? LogMsksd { get; init; }
    /// <summary>The checkpoint's learning events, one per training point (absent: the trainer did not record them).</summary>
    public double[]? LearningEvents { get; init; }
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? PopulationModels { get; init; }
    public IReadOnlyList<bool[]>? PopulationMembers { get; init; }

    /// <summary>The kernel pass's statistics of <see cref="Points"/> taken from a scoring run's table (the values of the scorers that are those statistics).</summary>
    public QuantitySources WithKernelRows(PointScores run) => this with
    {
        Mksd = run.Has(MksdScorer.Id) ? Points.Select(i => run.Values(MksdScorer.Id)[i]).ToArray() : null,
        LogMsksd = run.Has(MsksdScorer.Id) ? Points.Select(i => run.Values(MsksdScorer.Id)[i]).ToArray() : null,
    };
}

/// <summary>The model and the points a scorer that measures its own quantity reads (<see cref="IScorer.Measure"/>).</summary>
public sealed record ModelOnPoints(nn.Module<Tensor, Tensor> Model, ImageSet Points, Device Device);
