using System.Globalization;
using System.Text;
using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Populations;

/// <summary>
/// A population model's φ table as mNN.phi.npy stores it: 2 × (n + t) float64, the first row φ on the n training then
/// the t test points, the second their correctness (1 or 0).
/// </summary>
public static class PhiTable
{
    public static double[] Of(Confidences train, Confidences test)
    {
        int n = train.Count + test.Count;
        var table = new double[2 * n];
        for (int i = 0; i < train.Count; i++) { table[i] = train.Phi[i]; table[n + i] = train.Correct[i] ? 1 : 0; }
        for (int i = 0; i < test.Count; i++) { table[train.Count + i] = test.Phi[i]; table[n + train.Count + i] = test.Correct[i] ? 1 : 0; }
        return table;
    }

    /// <summary>The training and test points' confidences of a table of <paramref name="n"/> training and <paramref name="t"/> test points.</summary>
    public static (Confidences Train, Confidences Test) Split(double[] table, int n, int t) =>
        (new Confidences(table[..n], table[(n + t)..(2 * n + t)].Select(v => v == 1).ToArray()),
         new Confidences(table[n..(n + t)], table[(2 * n + t)..].Select(v => v == 1).ToArray()));
}

/// <summary>
/// Every number a population's summary stores, computed from its models' φ tables and the original model: LiRA's strength
/// on the population (each model the target in turn), the member threshold the cells use, the ROC curve, the per-point
/// statistics of points.csv, the instruments' power on the canaries beside the other points (where the data has canaries), and the median φ on the test set of the original and of the population (a model trained on
/// all n points is more confident everywhere than one trained on n/2: that shift is part of any gap between the original
/// and a point's out distribution).
/// </summary>
public sealed record PopulationSummaryNumbers(MembershipEvidence Evidence, AttackStrength Strength, (double[] Fpr, double[] Tpr) Roc,
    double OriginalTestPhiMedian, double PopulationTestPhiMedian, string PointsCsv, GroupPower[]? Power = null, PhiCalibration? TestCalibration = null,
    MemberCallCheck? HeldOutCheck = null)
{
    public const string PointsHeader = "index,label,in_models,in_mean,in_sd,out_models,out_mean,out_sd,memorization,memorization_se,original_phi,original_p_out,original_lira,original_member";

    /// <param name="calibrate">Whether the member calls of full-data models use <see cref="TestCalibration"/> (else φ as measured).</param>
    /// <param name="heldOut">A model trained like the original without the held-out points: the points and its φ on them (<see cref="MemberCallCheck"/>).</param>
    public static PopulationSummaryNumbers Of(Population population, nn.Module<Tensor, Tensor> original, DataSplits data, Device device, bool calibrate = false,
        (int[] Index, double[] Phi)? heldOut = null)
    {
        var scores = AttackEvaluation.Scores(population.TrainPhi, population.Members);
        var strength = scores.Strength(AttackEvaluation.Fprs, population.Models);
        var originalTestPhi = PopulationModel.Measure(original, data.Test, device).Phi;
        var calibration = PhiCalibration.FromTestSets(originalTestPhi, population.Test.SelectMany(t => t.Phi));
        double threshold = strength.Thresholds[AttackEvaluation.MemberFpr];
        var evidence = new MembershipEvidence(population, threshold, AttackEvaluation.MemberFpr, calibrate ? calibration : null);
        var originalPhi = PopulationModel.Measure(original, data.Train, device).Phi;
        double originalTest = Median(originalTestPhi);
        double populationTest = Median(population.Test.SelectMany(t => t.Phi));
        var check = heldOut is { } h ? MemberCallCheck.Of(population, threshold, AttackEvaluation.MemberFpr, h.Index, h.Phi, calibration) : null;
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(PointsHeader).Append('\n');
        foreach (var p in PopulationPoints.Rows(evidence, data.Train.Labels, originalPhi))
            sb.Append(string.Join(",", p.Index.ToString(inv), p.Label.ToString(inv), p.Fit.InCount.ToString(inv), F(p.Fit.InMean), F(p.Fit.InSd), p.Fit.OutCount.ToString(inv),
                F(p.Fit.OutMean), F(p.Fit.OutSd), F(p.Memorization.Value), F(p.Memorization.StandardError), F(p.Original.Phi), F(p.Original.OutPValue), F(p.Original.Lira),
                p.Original.Member ? "1" : "0")).Append('\n');
        var power = data.Canaries is { } c ? InstrumentPower.Of(population, c.Mask(data.Train.Count)) : null;
        return new PopulationSummaryNumbers(evidence, strength, Populations.Roc.Curve(scores.Members, scores.NonMembers), originalTest, populationTest, sb.ToString(), power, calibration, check);
    }

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
