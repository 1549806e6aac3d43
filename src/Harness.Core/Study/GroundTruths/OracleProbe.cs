using Harness.Data;
using Harness.Populations;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>gt_oracle_steps of one point: the probe's steps until φ fell below the threshold (out mean + 2 sd), or censored at the cap.</summary>
public sealed record OracleResult(int Steps, bool Censored, double Threshold, double PhiBefore, double PhiAfter)
{
    public double Value(int cap) => Censored ? cap + 1 : Steps;
}

/// <summary>
/// The oracle probe ("oracle" in points/INDEX.json): the plain-SGD ascent of <see cref="StepsProbe"/>, stopped when φ(x_i)
/// under the probed model is below the point's out mean + 2 sd in the matrix's population (its LiRA out deviation): the
/// work to reach what a model that never saw x_i gives. 0 when θ₀ is already there; censored after the cap.
/// </summary>
public sealed class OracleProbe() : Probe<OracleResult>("oracle")
{
    public static readonly OracleProbe Instance = new();

    public override bool ReadsPopulation => true;

    public override IEnumerable<KeyValuePair<string, string>> Inputs(ProbeRun run) =>
    [
        Input("study.probe.lr", SettingField.Format(run.Settings.LearningRate)), Input("study.probe.max_steps", $"{run.Settings.MaxSteps}"),
        Input("study.population", run.PopulationFingerprint ?? throw new InvalidOperationException("the oracle probe needs the matrix's population")),
    ];

    public override PointProbe Start(ProbeRun run)
    {
        var population = run.RequirePopulation(Name);
        return Started(i => Measure(run.Original, run.ModelName, run.Data.Train, i, run.Settings.LearningRate, run.Settings.MaxSteps, population, run.Device));
    }

    public static OracleResult Measure(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index, double learningRate, int cap,
        Population population, Device device)
    {
        var fit = population.Fit(index);
        double threshold = fit.OutMean + 2 * Lira.Deviations(fit, population.GlobalSd).Out;
        double first = double.NaN, phi = double.NaN;
        var (steps, reached, probed) = GroundTruths.Ascend(original, modelName, train, index, learningRate, cap, device, logits =>
        {
            phi = LogitConfidence.Of(logits.detach().cpu().data<float>().ToArray(), train.Labels[index]);
            if (double.IsNaN(first)) first = phi;
            return phi < threshold;
        });
        probed.Dispose();
        return new OracleResult(steps, !reached, threshold, first, phi);
    }
}
