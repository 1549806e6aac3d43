namespace Harness.Forget;

/// <summary>
/// What models that never saw a point predict for it: each such half-data model's p(y|x) and correctness, and the
/// interval a perfect unlearning should land in: [min − tolerance, max + tolerance] of their p(y|x), within [0, 1].
/// </summary>
public sealed record RetrainTarget(int Models, double[] Confidence, bool[] Correct, double ShareCorrect, double MeanConfidence, double Low, double High, double Tolerance)
{
    public static RetrainTarget From(IReadOnlyList<double> confidence, IReadOnlyList<bool> correct, double tolerance)
    {
        if (confidence.Count == 0) throw new HarnessException("no half-data model left this point out, so there is no never-saw-it target (use an even --half-models ≥ 2).");
        return new RetrainTarget(confidence.Count, confidence.ToArray(), correct.ToArray(), correct.Count(c => c) / (double)correct.Count, confidence.Average(),
            Math.Max(0, confidence.Min() - tolerance), Math.Min(1, confidence.Max() + tolerance), tolerance);
    }
}

/// <summary>
/// The verdict on one requested point: where its p(y|x) under a model lies against the never-saw-it interval.
/// </summary>
public static class Verdicts
{
    public const string MatchesRetrain = "matches-retrain", NotForgotten = "not-forgotten", OverForgotten = "over-forgotten";

    public static readonly IReadOnlyDictionary<string, string> Meaning = new Dictionary<string, string>
    {
        [MatchesRetrain] = "p(y|x) lies within the spread of the models that never saw the point: what retraining without it would give",
        [NotForgotten] = "p(y|x) is still above every model that never saw the point: the model still remembers it",
        [OverForgotten] = "p(y|x) was pushed below every model that never saw the point: unlearning overshot, and the gap itself can reveal the deletion",
    };

    public static string Judge(double confidence, RetrainTarget target)
    {
        if (double.IsNaN(confidence)) throw new HarnessException("p(y|x) after unlearning is NaN: the unlearned model is broken (lower the algorithm's learning rate).");
        return confidence > target.High ? NotForgotten : confidence < target.Low ? OverForgotten : MatchesRetrain;
    }

    /// <summary>A rung of the ladder succeeds when no requested point is still remembered (over-forgotten points have passed their target).</summary>
    public static bool Reached(IEnumerable<string> verdicts) => verdicts.All(v => v != NotForgotten);

    /// <summary>One line over all points, e.g. "3 of 5 match retraining, 1 not forgotten, 1 over-forgotten".</summary>
    public static string Summary(IReadOnlyList<string> verdicts)
    {
        int m = verdicts.Count(v => v == MatchesRetrain), nf = verdicts.Count(v => v == NotForgotten), of = verdicts.Count(v => v == OverForgotten);
        var parts = new List<string> { $"{m} of {verdicts.Count} match retraining" };
        if (nf > 0) parts.Add($"{nf} not forgotten");
        if (of > 0) parts.Add($"{of} over-forgotten");
        return string.Join(", ", parts);
    }
}
