using Harness.Runs;
using Harness.Evaluation;
using Harness.Jobs;

namespace Harness.Experiments;

/// <summary>
/// One cell's result file: its metrics, everything needed to reproduce it, and the fingerprint of what made it. WorkKey is
/// the fingerprint of the computation alone (model, forget set, algorithm and settings, evaluation): cells of other scorers
/// or kernels that pick the same target and forget set share it, and SameAs then names the cell whose computation this one reuses.
/// </summary>
public sealed record CellResult(
    string Cell, string Matrix, string Dataset, string Kernel, string Scorer, string Side, int Slot, int Target, string Unlearner, int Expansion, int Seed,
    double ForgetAcc, double ForgetLoss, double RemainAcc, double RemainLoss, double TestAcc, double TestLoss,
    double MiaEfficacy, double Distance, double Seconds, double OriginalForgetAcc, double OriginalForgetLoss,
    int[] ForgetSet, bool[] MiaForgetPredictedNonMember, double MiaThreshold, double MiaShadowBalancedAccuracy, string MiaAttack, string MiaFeature,
    Dictionary<string, double> DistancePerLayer, Dictionary<string, object> Details,
    object Configuration, int Threads, string Device, string TorchSharpVersion, string LibTorchVersion, string GitCommit,
    Fingerprint? Fingerprint = null, string? WorkKey = null, string? SameAs = null, string RemainEvaluation = "all of D_r",
    Dictionary<string, double>? PhaseSeconds = null, Populations.ForgetEvidence? Evidence = null)
{
    /// <summary>Forget accuracy of the original model minus after unlearning (a point already misclassified cannot drop).</summary>
    public double ForgetAccDrop => OriginalForgetAcc - ForgetAcc;

    public static CellResult From(Cell cell, int target, UnlearnReport r, object configuration, string gitCommit, Fingerprint fingerprint, string workKey,
        Populations.ForgetEvidence? evidence) => new(
        cell.Id, cell.Matrix, cell.Dataset, cell.Kernel, cell.Scorer, cell.SideName, cell.Slot, target, cell.Unlearner, cell.Expansion, cell.Seed,
        r.Forget.Accuracy, r.Forget.Loss, r.Remain.Accuracy, r.Remain.Loss, r.Test.Accuracy, r.Test.Loss,
        r.Mia.Efficacy, r.Distance, r.Seconds, r.OriginalForget.Accuracy, r.OriginalForget.Loss, r.ForgetSet, r.Mia.ForgetPredictedNonMember, r.Mia.Threshold, r.Mia.ShadowBalancedAccuracy,
        r.Mia.Attack, r.Mia.Feature, r.DistancePerLayer, r.Details, configuration, r.Threads, r.Device, r.TorchSharpVersion, r.LibTorchVersion, gitCommit, fingerprint, workKey, null, r.RemainEvaluation, r.PhaseSeconds, evidence);
}
