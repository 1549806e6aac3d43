using Harness.Populations;

namespace Harness.Forget;

/// <summary>
/// What the population says about one record: φ (= z_y − logsumexp_{j≠y} z_j) of the models that never saw it (out) and of
/// those that did (in), the Gaussians LiRA fits to them (the deviations by its variance rule), the interval a model that never
/// saw the record lands in with probability 1 − 2α (out mean ± z_{1−α} sd), and LiRA's member threshold at the population's
/// 1 % FPR.
/// </summary>
public sealed record RetrainTarget(int OutModels, double[] OutPhi, int OutCorrect, double OutMean, double OutSd, int InModels, double[] InPhi, double InMean, double InSd,
    double Low, double High, double Alpha, double LiraThreshold)
{
    public static RetrainTarget From(Population population, int point, double alpha, double liraThreshold)
    {
        if (!(alpha > 0 && alpha < 0.5)) throw new HarnessException($"--alpha {alpha} must be in (0, 0.5).");
        var fit = population.Fit(point);
        if (fit.OutCount == 0) throw new HarnessException($"no population model left record {point} out, so there is no never-saw-it target.");
        var (sdIn, sdOut) = Populations.Lira.Deviations(fit, population.GlobalSd);
        var outs = Enumerable.Range(0, population.Models).Where(m => !population.Members[m][point]).ToArray();
        var ins = Enumerable.Range(0, population.Models).Where(m => population.Members[m][point]).ToArray();
        double z = Normal.UpperQuantile(alpha);
        return new RetrainTarget(outs.Length, outs.Select(m => population.TrainPhi[m][point]).ToArray(), outs.Count(m => population.Train[m].Correct[point]),
            fit.OutMean, sdOut, ins.Length, ins.Select(m => population.TrainPhi[m][point]).ToArray(), fit.InMean, sdIn,
            fit.OutMean - z * sdOut, fit.OutMean + z * sdOut, alpha, liraThreshold);
    }

    /// <summary>P(φ' ≥ φ) for a model that never saw the record.</summary>
    public double UpperP(double phi) => Normal.UpperTail(phi, OutMean, OutSd);
    /// <summary>P(φ' ≤ φ) for a model that never saw the record.</summary>
    public double LowerP(double phi) => Normal.UpperTail(-phi, -OutMean, OutSd);
    /// <summary>LiRA's log-likelihood ratio of φ (in versus out).</summary>
    public double Lira(double phi) => Normal.LogPdf(phi, InMean, InSd) - Normal.LogPdf(phi, OutMean, OutSd);
    public bool Member(double phi) => Lira(phi) > LiraThreshold;
}

/// <summary>
/// The verdict on one requested record: where its φ under a model lies against the population's never-saw-it distribution,
/// at the stated thresholds: one-sided p-values against α each way, and LiRA's member call at the population's 1 % FPR.
/// </summary>
public static class Verdicts
{
    public const string MatchesRetrain = "matches-retrain", NotForgotten = "not-forgotten", OverForgotten = "over-forgotten";

    public static readonly IReadOnlyDictionary<string, string> Meaning = new Dictionary<string, string>
    {
        [MatchesRetrain] = "φ is what a model that never saw the record gives (neither tail p-value under its out distribution is below α, and LiRA does not call it a member): what retraining without it would give",
        [NotForgotten] = "φ is still higher than models that never saw the record give (upper-tail p-value below α), or LiRA calls it a member: the model still remembers it",
        [OverForgotten] = "φ was pushed below what models that never saw the record give (lower-tail p-value below α): unlearning overshot, and the gap itself can reveal the deletion",
    };

    public static string Judge(double phi, RetrainTarget target)
    {
        if (double.IsNaN(phi)) throw new HarnessException("φ after unlearning is NaN: the unlearned model is broken (lower the algorithm's learning rate).");
        if (target.UpperP(phi) < target.Alpha || target.Member(phi)) return NotForgotten;
        return target.LowerP(phi) < target.Alpha ? OverForgotten : MatchesRetrain;
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
