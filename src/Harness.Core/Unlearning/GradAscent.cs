using Harness.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Unlearning;

/// <summary>
/// GradAscent (NegGrad): gradient ascent on the forget loss, checking the mean forget loss after every step and stopping
/// as soon as it exceeds the overfit threshold; otherwise it stops at the epoch limit.
/// </summary>
public sealed record GradAscentSettings : StepSettings
{
    /// <summary>GradAscent stops once the mean forget loss exceeds this.</summary>
    [Setting("threshold", "stop once the mean forget loss exceeds this", Min = 0)]
    public double OverfitThreshold { get; init; } = 5.0;

    public static GradAscentSettings Table5(string dataset) =>
        new() { BatchSize = BatchFor(dataset), LearningRate = 1e-4, Epochs = 50, OverfitThreshold = 5.0 };
}

/// <summary>Table 5: lr 1e-4, at most 50 epochs, threshold 5.0.</summary>
public sealed class GradAscent() : Unlearner<GradAscentSettings>("gradascent", "GradAscent", "gradient ascent on D_f until the mean forget loss exceeds the threshold", GradAscentSettings.Table5)
{
    protected override UnlearnResult Run(UnlearnContext c, GradAscentSettings s)
    {
        var model = ModelCopy.Clone(c.Original, c.ModelName, c.Train, c.Device);
        var forget = c.ForgetSet;
        using var x = forget.ImagesTensor(c.Device);
        using var y = forget.LabelsTensor(c.Device);
        using var opt = Training.Optimizers.Create(s.Optimizer, model.parameters(), s.LearningRate, s.Momentum, s.WeightDecay);
        int n = forget.Count, batches = (n + s.BatchSize - 1) / s.BatchSize, steps = 0;
        double loss = MeanLoss(model, x, y);
        string stop = "epoch limit";
        for (int epoch = 0; epoch < s.Epochs && stop == "epoch limit"; epoch++)
        {
            for (int b = 0; b < batches; b++)
            {
                using (var scope = NewDisposeScope())
                {
                    model.train();
                    int start = b * s.BatchSize, count = Math.Min(s.BatchSize, n - start);
                    opt.zero_grad();
                    var ascent = -nn.functional.cross_entropy(model.forward(x.narrow(0, start, count)), y.narrow(0, start, count));
                    ascent.backward();
                    opt.step();
                }
                steps++;
                loss = MeanLoss(model, x, y);
                if (loss > s.OverfitThreshold) { stop = "threshold"; break; }
                if (s.MaxSteps > 0 && steps >= s.MaxSteps) { stop = "max_steps"; break; }
            }
        }
        model.eval();
        return new UnlearnResult(model, new Dictionary<string, object>
        {
            ["steps"] = steps, ["stopped_by"] = stop, ["final_forget_loss"] = loss,
        });
    }

    static double MeanLoss(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return nn.functional.cross_entropy(model.forward(x), y).to(ScalarType.Float64).item<double>();
    }
}
