using Harness.Config;
using Harness.Models;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Study;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Tests.Docs;

// The worked examples of docs/architecture.md ("Extension points"), compiled and run by WorkedExamplesTests: each block
// between a `docs:` line and `docs: end` is the one the document shows (a test compares them). In the library, each class
// is its own file, and one line registers it.

// docs: scorer
/// <summary>logit_norm: the 2-norm of θ's logits on x_i, a quantity no run computes. Low is hard (an unsure model).</summary>
public sealed class LogitNormScorer : IScorer
{
    public string Name => "logit_norm";
    public string Display => "‖f(x)‖";
    public HardEnd HardEnd => HardEnd.Low;
    public Quantities Reads => Quantities.Own;
    public string Summary => "the 2-norm of the logits f(x_i)";

    public double[]? Measure(ModelOnPoints m)
    {
        m.Model.eval();
        var norms = new double[m.Points.Count];
        using var _ = no_grad();
        for (int s = 0; s < norms.Length; s += 256)
        {
            using var scope = NewDisposeScope();
            var batch = m.Points.Subset(Enumerable.Range(s, Math.Min(256, norms.Length - s)).ToArray());
            var logits = m.Model.forward(batch.ImagesTensor(m.Device)).to(ScalarType.Float64);
            logits.norm(1, false, 2f).cpu().data<double>().ToArray().CopyTo(norms, s);
        }
        return norms;
    }

    public double[]? Compute(PointQuantities q) => q.Own.GetValueOrDefault(Name);
}
// docs: end

// docs: probe
/// <summary>What the one-step probe stores per point: p(y_i|x_i) under θ₀ and after one plain-SGD ascent step on {i}.</summary>
public sealed record OneStepResult(double Before, double After);

/// <summary>The one-step probe ("one_step" in points/INDEX.json): one plain-SGD ascent step on {i} at the study's probe rate.</summary>
public sealed class OneStepProbe() : Probe<OneStepResult>("one_step")
{
    public static readonly OneStepProbe Instance = new();

    public override IEnumerable<KeyValuePair<string, string>> Inputs(ProbeRun run) =>
        [Input("study.probe.lr", SettingField.Format(run.Settings.LearningRate))];

    public override PointProbe Start(ProbeRun run) => Started(i => Measure(run, i));

    static OneStepResult Measure(ProbeRun run, int i)
    {
        using var model = ModelCopy.Clone(run.Original, run.ModelName, run.Data.Train, run.Device);
        model.eval();
        using var x = run.Data.Train.Subset([i]).ImagesTensor(run.Device);
        using var y = run.Data.Train.Subset([i]).LabelsTensor(run.Device);
        using var opt = Optimizers.Create(Optimizer.Sgd, model.parameters(), run.Settings.LearningRate, 0, 0);
        double P()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            return Math.Exp(-nn.functional.cross_entropy(model.forward(x), y).item<float>());
        }
        double before = P();
        opt.zero_grad();
        (-nn.functional.cross_entropy(model.forward(x), y)).backward();
        opt.step();
        return new OneStepResult(before, P());
    }
}

/// <summary>gt_one_step: p(y_i|x_i) after one ascent step; the more of it is left, the harder the point.</summary>
public sealed class OneStepGroundTruth() : GroundTruth("gt_one_step", OneStepProbe.Instance)
{
    public override string Describe(ProbeSettings p) => Invariant(
        $"`gt_one_step` p(y_i|x_i) after one plain-SGD ascent step on {{i}} (lr {p.LearningRate})");
    public override double[] Values(GroundTruthInputs g) => g.Points.Select(r => OneStepProbe.Instance.Of(r).After).ToArray();
}
// docs: end
