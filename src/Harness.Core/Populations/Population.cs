namespace Harness.Populations;

/// <summary>
/// A trained population as tables: which training points each model saw (<see cref="ComplementaryHalves"/>) and each
/// model's φ and correctness on every training and test point. The per-point fits and the global deviations are computed
/// once, from all M models.
/// </summary>
public sealed class Population
{
    public Population(bool[][] members, IReadOnlyList<Confidences> train, IReadOnlyList<Confidences> test)
    {
        if (members.Length != train.Count || members.Length != test.Count) throw new ArgumentException($"{members.Length} models, {train.Count} train and {test.Count} test tables.");
        Members = members;
        Train = train;
        Test = test;
        TrainPhi = train.Select(c => c.Phi).ToArray();
        fits = new InOut[Points];
        for (int i = 0; i < Points; i++) fits[i] = PointStatistics.Fit(TrainPhi, members, i);
        GlobalSd = PointStatistics.GlobalSd(TrainPhi, members);
    }

    readonly InOut[] fits;

    public bool[][] Members { get; }
    public IReadOnlyList<Confidences> Train { get; }
    public IReadOnlyList<Confidences> Test { get; }
    public double[][] TrainPhi { get; }
    public int Models => Members.Length;
    public int Points => Members[0].Length;
    /// <summary>The pooled in and out deviations of φ (LiRA's fixed variance below <see cref="Lira.PerPointVarianceFrom"/> models a side).</summary>
    public (double In, double Out) GlobalSd { get; }

    public InOut Fit(int point) => fits[point];

    public Memorization MemorizationOf(int point) =>
        PointStatistics.MemorizationOf(Train.Select(c => c.Correct).ToArray(), Members, point);

    /// <summary>Mean test accuracy of the models.</summary>
    public double TestAccuracy => Test.Average(t => t.Correct.Count(c => c) / (double)t.Count);
}

/// <summary>What the population says about one model's φ on one training point.</summary>
public sealed record PointEvidence(double Phi, double OutPValue, double Lira, bool Member);

/// <summary>
/// Per-example membership evidence against a population: a model's φ on a training point, its one-sided p-value under the
/// point's out Gaussian (how unusual for a model that never saw it), its LiRA score, and whether LiRA calls it a member at
/// the population's threshold (the score above which the stated share of non-members fell when each model of the
/// population was attacked with the others; <see cref="AttackEvaluation"/>).
/// </summary>
public sealed class MembershipEvidence(Population population, double threshold, double fpr, PhiCalibration? calibration = null)
{
    public Population Population { get; } = population;
    public double Threshold { get; } = threshold;
    public double Fpr { get; } = fpr;
    /// <summary>How the φ of a model trained on all of D_t is mapped onto the population's scale before it is scored (<see cref="PhiCalibration.None"/>: as it is).</summary>
    public PhiCalibration Calibration { get; } = calibration ?? PhiCalibration.None;

    /// <summary>The evidence of a model trained on all of D_t (the original, an unlearned or retrained model) with φ on the point; φ is recorded as measured.</summary>
    public PointEvidence Of(int point, double phi)
    {
        var fit = Population.Fit(point);
        double scaled = Calibration.Apply(phi);
        double lira = Lira.Score(scaled, fit, Population.GlobalSd);
        return new PointEvidence(phi, Lira.OutPValue(scaled, fit, Population.GlobalSd), lira, lira > Threshold);
    }

    /// <summary>The share of points LiRA calls members, given a model's φ on each.</summary>
    public double MemberShare(IReadOnlyList<int> points, IReadOnlyList<double> phi)
    {
        if (points.Count != phi.Count) throw new ArgumentException($"{points.Count} points, {phi.Count} φ values.");
        if (points.Count == 0) return double.NaN;
        int members = 0;
        for (int k = 0; k < points.Count; k++) if (Of(points[k], phi[k]).Member) members++;
        return members / (double)points.Count;
    }
}

/// <summary>One row of a population's points.csv.</summary>
public sealed record PopulationPoint(int Index, long Label, InOut Fit, Memorization Memorization, PointEvidence Original);

public static class PopulationPoints
{
    /// <summary>Every training point's statistics and the original model's evidence (φ from <paramref name="originalPhi"/>).</summary>
    public static IEnumerable<PopulationPoint> Rows(MembershipEvidence evidence, IReadOnlyList<long> labels, IReadOnlyList<double> originalPhi)
    {
        var p = evidence.Population;
        for (int i = 0; i < p.Points; i++)
            yield return new PopulationPoint(i, labels[i], p.Fit(i), p.MemorizationOf(i), evidence.Of(i, originalPhi[i]));
    }
}
