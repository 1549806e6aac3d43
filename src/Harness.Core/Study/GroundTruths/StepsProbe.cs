using Harness.Data;
using Harness.Evaluation;
using Harness.Runs;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>gt_steps and gt_collateral of one point: the probe's steps, whether it hit the cap, and test accuracy before and at that moment.</summary>
public sealed record StepsResult(int Steps, bool Censored, double TestAccuracyBefore, double TestAccuracyAfter)
{
    /// <summary>gt_steps: the steps, or cap + 1 for a censored point (all censored points tie there).</summary>
    public double Value(int cap) => Censored ? cap + 1 : Steps;
    /// <summary>gt_collateral: the test-accuracy drop of θ₀ when the probe stops.</summary>
    public double Collateral => TestAccuracyBefore - TestAccuracyAfter;
}

/// <summary>
/// The plain-SGD probe ("steps" in points/INDEX.json): plain SGD (no momentum, no weight decay) ascending the cross-entropy
/// of {i} alone, one step at a time, until θ's prediction on x_i is no longer y_i. The model stays in eval mode (a
/// single-point batch must not update batch-norm statistics). A point θ₀ already misclassifies needs 0 steps. After the
/// cap without a flip the point is censored. The test accuracy on <see cref="CollateralTestSet"/> is measured once, when
/// the probe stops.
/// </summary>
public sealed class StepsProbe() : Probe<StepsResult>("steps")
{
    public static readonly StepsProbe Instance = new();

    public override IEnumerable<KeyValuePair<string, string>> Inputs(ProbeRun run) =>
    [
        Input("study.probe.lr", SettingField.Format(run.Settings.LearningRate)), Input("study.probe.max_steps", $"{run.Settings.MaxSteps}"),
        Input("study.collateral_test_sample", $"{run.Settings.CollateralTestSample}"),
    ];

    public override PointProbe Start(ProbeRun run)
    {
        var set = CollateralTestSet.Of(run.Data, run.Settings.CollateralTestSample);
        var (x, y) = (set.ImagesTensor(run.Device), set.LabelsTensor(run.Device));
        double before = Evaluator.Evaluate(run.Original, x, y).Accuracy;
        return Started(i => Measure(run.Original, run.ModelName, run.Data.Train, i, run.Settings.LearningRate, run.Settings.MaxSteps, x, y, before, run.Device),
            () => { x.Dispose(); y.Dispose(); });
    }

    /// <summary>The probe on point <paramref name="index"/>, with θ₀'s accuracy on the collateral test set (<paramref name="testX"/>, <paramref name="testY"/>) already measured.</summary>
    public static StepsResult Measure(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index, double learningRate, int cap,
        Tensor testX, Tensor testY, double testAccuracyBefore, Device device)
    {
        var (steps, flipped, probed) = GroundTruths.Ascend(original, modelName, train, index, learningRate, cap, device,
            logits => logits.argmax(1).item<long>() != train.Labels[index]);
        using (probed) return new StepsResult(steps, !flipped, testAccuracyBefore, Evaluator.Evaluate(probed, testX, testY).Accuracy);
    }
}
