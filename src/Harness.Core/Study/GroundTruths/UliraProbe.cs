using Harness.Data;
using Harness.Populations;
using Harness.Runs;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>
/// gt_ulira_eps and gt_klom of one point: φ of K population models that trained on x_i before and after GradAscent on {i},
/// φ of the models that never saw it, the per-example ε (with its competition points) and KLOM between after and out.
/// </summary>
public sealed record UliraResult(double[] PhiBefore, double[] PhiAfter, double[] PhiOut, int[] Models, int[] Steps, double Epsilon, double EpsilonPoints, bool Peaky, double Klom);

/// <summary>
/// The U-LiRA probe ("ulira" in points/INDEX.json; Hayes et al., scored as the NeurIPS 2023 competition and as KLOM):
/// GradAscent with Table 5's settings on {i} applied to each of the first K population models that trained on x_i, φ of
/// each after it, against φ of the models that never saw x_i.
/// </summary>
public sealed class UliraProbe() : Probe<UliraResult>("ulira")
{
    public static readonly UliraProbe Instance = new();

    public override bool ReadsPopulation => true;

    public override IEnumerable<KeyValuePair<string, string>> Inputs(ProbeRun run) =>
        Fingerprint.Flatten("unlearning.gradascent", run.Unlearner("gradascent"))
            .Append(Input("study.population", run.PopulationFingerprint ?? throw new InvalidOperationException("the U-LiRA probe needs the matrix's population")))
            .Append(Input("study.ulira_models", $"{run.Settings.UliraModels}"));

    public override PointProbe Start(ProbeRun run)
    {
        var population = run.RequirePopulation(Name);
        var models = run.PopulationModels?.Invoke() ?? throw new InvalidOperationException("the U-LiRA probe needs the population's models");
        var settings = (GradAscentSettings)run.Unlearner("gradascent");
        return Started(index =>
        {
            var inModels = Enumerable.Range(0, population.Models).Where(m => population.Members[m][index]).Take(run.Settings.UliraModels).Select(m => (m, models[m])).ToList();
            var outPhi = Enumerable.Range(0, population.Models).Where(m => !population.Members[m][index]).Select(m => population.TrainPhi[m][index]).ToArray();
            return Measure(inModels, run.ModelName, run.Data.Train, index, outPhi, settings, run.Training, run.Device);
        }, () => { foreach (var m in models) m.Dispose(); });
    }

    /// <summary>
    /// GradAscent with <paramref name="settings"/> on {i} applied to each of <paramref name="inModels"/> (population models
    /// that trained on x_i), φ of each after it, against <paramref name="outPhi"/> (φ of the models that never saw x_i).
    /// </summary>
    public static UliraResult Measure(IReadOnlyList<(int Index, nn.Module<Tensor, Tensor> Model)> inModels, string modelName, ImageSet train, int index,
        IReadOnlyList<double> outPhi, GradAscentSettings settings, TrainingSettings originalTraining, Device device)
    {
        var point = train.Subset(new[] { index });
        var before = new double[inModels.Count];
        var after = new double[inModels.Count];
        var steps = new int[inModels.Count];
        for (int k = 0; k < inModels.Count; k++)
        {
            before[k] = PopulationModel.Measure(inModels[k].Model, point, device).Phi[0];
            var context = new UnlearnContext(inModels[k].Model, modelName, train, new[] { index }, Array.Empty<int>(), settings, originalTraining, device);
            var result = new GradAscent().Unlearn(context);
            using (result.Model) after[k] = PopulationModel.Measure(result.Model, point, device).Phi[0];
            steps[k] = Convert.ToInt32(result.Details["steps"]);
        }
        var eps = PerExampleEpsilon.Of(after, outPhi);
        return new UliraResult(before, after, outPhi.ToArray(), inModels.Select(m => m.Index).ToArray(), steps, eps.Epsilon, eps.Points, eps.Peaky, Klom.Of(after, outPhi));
    }
}
