using Harness.Data;
using Harness.Runs;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>One rung of the expansion ladder: k, whether x_i was misclassified after GradAscent on {i} ∪ top-k, and the steps it took.</summary>
public sealed record LadderStep(int K, bool Forgotten, int Steps, string StoppedBy);

/// <summary>gt_expansion of one point: the smallest k of the ladder that made the model misclassify x_i, or censored.</summary>
public sealed record ExpansionResult(int? K, IReadOnlyList<LadderStep> Ladder)
{
    public bool Censored => K is null;
    /// <summary>gt_expansion: k, or the ladder's largest k + 1 for a censored point.</summary>
    public double Value(IReadOnlyList<int> ladder) => K ?? ladder.Max() + 1;
}

/// <summary>
/// The expansion probe ("expansion" in points/INDEX.json; the paper's Sec. 5.3 ground truth): for k along the study's
/// ladder, GradAscent with Table 5's settings from θ₀ on {i} ∪ its top-k Stein neighbours (the study kernel's); the first k
/// after which θ misclassifies x_i.
/// </summary>
public sealed class ExpansionProbe() : Probe<ExpansionResult>("expansion")
{
    public static readonly ExpansionProbe Instance = new();

    public override int NeighborsRead(ProbeSettings settings) => settings.Ladder.Max();

    public override IEnumerable<KeyValuePair<string, string>> Inputs(ProbeRun run) =>
        Fingerprint.Flatten("unlearning.gradascent", run.Unlearner("gradascent"))
            .Append(Input("study.ladder", string.Join(" ", run.Settings.Ladder)))
            .Concat(run.NeighborInputs);

    public override PointProbe Start(ProbeRun run)
    {
        var settings = (GradAscentSettings)run.Unlearner("gradascent");
        return Started(i => Measure(run.Original, run.ModelName, run.Data.Train, i, run.Neighbors(i), run.Settings.Ladder, settings, run.Training, run.Device));
    }

    public static ExpansionResult Measure(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index, ReadOnlyMemory<int> neighbors,
        IReadOnlyList<int> ladder, GradAscentSettings settings, TrainingSettings originalTraining, Device device)
    {
        using var one = train.Subset(new[] { index }).ImagesTensor(device);
        LadderStep Step(int k)
        {
            var forget = RemovalExpansion.ForgetSet(new[] { index }, _ => neighbors, k);
            var context = new UnlearnContext(original, modelName, train, forget, Array.Empty<int>(), settings, originalTraining, device);
            var result = new GradAscent().Unlearn(context);
            bool forgotten;
            using (result.Model)
            using (no_grad())
            using (var scope = NewDisposeScope())
                forgotten = result.Model.forward(one).argmax(1).item<long>() != train.Labels[index];
            return new LadderStep(k, forgotten, Convert.ToInt32(result.Details["steps"]), (string)result.Details["stopped_by"]);
        }
        var (steps, kept) = ExpansionLadder.Run(ladder, Step, s => s.Forgotten, _ => { });
        return new ExpansionResult(steps[kept].Forgotten ? steps[kept].K : null, steps);
    }
}
