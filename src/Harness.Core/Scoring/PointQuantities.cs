using Harness.Numerics;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// The shared per-point quantities every scorer computes its value from (one entry per scored point, in the order of
/// <see cref="Index"/>): the original model's outputs, the Stein kernel pass's row statistics, training-time records and
/// what models that never saw a point predict. A quantity a run did not compute is null, and the scorers that need it are
/// then absent from that run's table (<see cref="Scorers.IScorer.Compute"/> returns null).
/// </summary>
public sealed record PointQuantities
{
    /// <summary>Position of each point in the training set D_t.</summary>
    public required int[] Index { get; init; }
    public required long[] Label { get; init; }
    /// <summary>The original model's predicted class.</summary>
    public required long[] Predicted { get; init; }
    /// <summary>p_θ(y_i|x_i).</summary>
    public required double[] Pc { get; init; }
    /// <summary>−log p_θ(y_i|x_i) (cross-entropy), computed from the log-softmax, not from Pc.</summary>
    public required double[] Loss { get; init; }
    /// <summary>Logit margin f(x)_y − max_{c≠y} f(x)_c (negative when misclassified).</summary>
    public required double[] Margin { get; init; }
    /// <summary>Entropy H of the softmax.</summary>
    public required double[] Entropy { get; init; }
    /// <summary>The Stein score norm SSN: ‖∇ₓ log p(y|x)‖ (or ‖∇_θ log p(y|x)‖ with `ssn: params`).</summary>
    public required double[] Ssn { get; init; }
    /// <summary>MKSD: Σ_{j≠i} κ(i,j), from the kernel pass.</summary>
    public double[]? Mksd { get; init; }
    /// <summary>log MSKSD, from the kernel pass.</summary>
    public double[]? LogMsksd { get; init; }
    /// <summary>‖∇_θ log p(y_i|x_i)‖ over all parameters (one backward per point).</summary>
    public double[]? ParamGradNorm { get; init; }
    /// <summary>Mean p(y_i|x_i) over the training epochs, recorded by the trainer.</summary>
    public double[]? LearningEvents { get; init; }
    /// <summary>Mean symmetric KL between the original model's softmax and that of each half-data model that did not see the point.</summary>
    public double[]? HeldoutKl { get; init; }
    /// <summary>The quantities scorers measured themselves (<see cref="Scorers.IScorer.Measure"/>), by scorer name.</summary>
    public IReadOnlyDictionary<string, double[]> Own { get; init; } = new Dictionary<string, double[]>();

    public int Count => Index.Length;

    /// <summary>The quantities of the points at the given positions (positions in this record, not training indices).</summary>
    public PointQuantities Take(IReadOnlyList<int> positions)
    {
        T[] Pick<T>(T[] a) => positions.Select(p => a[p]).ToArray();
        T[]? PickOpt<T>(T[]? a) => a == null ? null : Pick(a);
        return new PointQuantities
        {
            Index = Pick(Index), Label = Pick(Label), Predicted = Pick(Predicted), Pc = Pick(Pc), Loss = Pick(Loss), Margin = Pick(Margin),
            Entropy = Pick(Entropy), Ssn = Pick(Ssn), Mksd = PickOpt(Mksd), LogMsksd = PickOpt(LogMsksd), ParamGradNorm = PickOpt(ParamGradNorm),
            LearningEvents = PickOpt(LearningEvents), HeldoutKl = PickOpt(HeldoutKl), Own = Own.ToDictionary(kv => kv.Key, kv => Pick(kv.Value)),
        };
    }

    /// <summary>
    /// The quantities of <see cref="QuantitySources.Points"/> that <paramref name="scorers"/> read: the model's outputs and
    /// SSN from the Stein pass (its own, or the caller's), the parameter-gradient norm where a scorer reads it or SSN is
    /// that norm (a caller's Stein result has it only where it computed it), the kernel pass's row statistics and the learning events where the sources have them, the held-out KL
    /// where a scorer reads the population and the sources have one, and each scorer's own quantity.
    /// </summary>
    public static PointQuantities Measure(QuantitySources s, IEnumerable<Scorers.IScorer> scorers)
    {
        var list = scorers.ToList();
        var reads = list.Aggregate(Scorers.Quantities.None, (r, x) => r | x.Reads);
        var set = s.Train.Subset(s.Points);
        bool paramNorms = s.Ssn == SsnMode.Params || reads.HasFlag(Scorers.Quantities.ParameterGradients);
        var stein = s.Stein ?? SteinScores.Compute(s.Model, set, s.Device, s.Score, s.ScoreBatch, paramNorms);
        PointQuantities q;
        try { q = FromStein(set.Labels, stein, s.Ssn, null); }
        finally { if (!ReferenceEquals(stein, s.Stein)) stein.Dispose(); }
        var events = s.LearningEvents is { } e && e.Length >= s.Train.Count ? s.Points.Select(i => e[i]).ToArray() : null;
        double[]? heldout = reads.HasFlag(Scorers.Quantities.Population) && s.PopulationModels is { } models && s.PopulationMembers is { } members
            ? Scoring.HeldoutKl.Of(s.Model, models, members, s.Train, s.Points, s.Device) : null;
        var own = new Dictionary<string, double[]>();
        foreach (var scorer in list.Where(x => x.Reads.HasFlag(Scorers.Quantities.Own)))
            if (scorer.Measure(new ModelOnPoints(s.Model, set, s.Device)) is { } v) own[scorer.Name] = v;
        return q with { Index = s.Points, Mksd = s.Mksd, LogMsksd = s.LogMsksd, LearningEvents = events, HeldoutKl = heldout, Own = own };
    }

    /// <summary>
    /// Each row's 2-norm in float64, by <c>Tensor.norm</c>: <c>linalg.vector_norm</c> makes its order a Scalar nothing holds
    /// (<see cref="HeldScalars"/>); both are LibTorch's <c>linalg_vector_norm</c>, to the bit (<c>ScalarLifetimeTests</c>).
    /// </summary>
    public static double[] RowNorms(Tensor s)
    {
        using var scope = NewDisposeScope();
        return s.to(ScalarType.Float64).norm(1, false, 2f).data<double>().ToArray();
    }

    /// <summary>
    /// The per-point quantities of the model's outputs (everything but the kernel pass's row statistics) for the first
    /// labels.Length training points. SSN is the input-gradient norm, or the parameter-gradient norm with `ssn: params`;
    /// the parameter-gradient norm is there when the Stein pass computed it; learning events when the checkpoint recorded them.
    /// </summary>
    public static PointQuantities FromStein(long[] labels, SteinScoreResult stein, SsnMode ssnMode, double[]? learningEvents)
    {
        int n = labels.Length;
        double[] ssn = ssnMode == SsnMode.Params ? stein.ParamGradNorm
            : RowNorms(stein.S);
        return new PointQuantities
        {
            Index = Enumerable.Range(0, n).ToArray(), Label = labels, Predicted = stein.Predicted, Pc = stein.Pc,
            Loss = stein.Loss ?? throw new ArgumentException("Stein result without losses"), Margin = stein.Margin!, Entropy = stein.Entropy, Ssn = ssn,
            ParamGradNorm = stein.ParamGradNorm.Length == n ? stein.ParamGradNorm : null,
            LearningEvents = learningEvents is { } e && e.Length >= n ? e.Take(n).ToArray() : null,
        };
    }

}
