using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>Accuracy (fraction 0–1) and mean cross-entropy of a model on a set of images.</summary>
public readonly record struct Evaluation(double Accuracy, double Loss, int Count);

public static class Evaluator
{
    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int batch = 1000)
    {
        long n = x.shape[0];
        if (n == 0) return new Evaluation(double.NaN, double.NaN, 0);
        bool wasTraining = model.training;
        model.eval();
        double correct = 0, loss = 0;
        using (no_grad())
        {
            for (long s = 0; s < n; s += batch)
            {
                using var scope = NewDisposeScope();
                long e = Math.Min(n, s + batch);
                var logits = model.forward(x.narrow(0, s, e - s));
                var t = y.narrow(0, s, e - s);
                loss += nn.functional.cross_entropy(logits, t, reduction: nn.Reduction.Sum).to(ScalarType.Float64).item<double>();
                correct += logits.argmax(1).eq(t).sum().to(ScalarType.Float64).item<double>();
            }
        }
        if (wasTraining) model.train();
        return new Evaluation(correct / n, loss / n, (int)n);
    }

    public static Evaluation Evaluate(nn.Module<Tensor, Tensor> model, ImageSet set, Device device)
    {
        using var scope = NewDisposeScope();
        return Evaluate(model, set.ImagesTensor(device), set.LabelsTensor(device));
    }
}
