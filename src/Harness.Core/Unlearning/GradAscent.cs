using Harness.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Unlearning;

/// <summary>
/// GradAscent (NegGrad): gradient ascent on the forget loss, checking the mean forget loss after every step and stopping
/// as soon as it exceeds the overfit threshold; otherwise it stops at the epoch limit.
/// </summary>
public sealed class GradAscent : IUnlearner
{
    public string Name => "gradascent";

    public UnlearnResult Unlearn(UnlearnContext c)
    {
        var s = c.Settings;
        s.Validate(Name);
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
