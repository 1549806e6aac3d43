using Harness.Evaluation;
using Harness.Data;
using Harness.Models;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>
/// What the probes share (the plain-SGD ascent of the step probes) and gt_memorization from a population's tables. θ₀ is
/// never modified.
/// </summary>
public static class GroundTruths
{
    /// <summary>
    /// The probe both step ground truths share: a copy of θ₀ in eval mode (a single-point batch must not update batch-norm
    /// statistics), plain SGD (no momentum, no weight decay) ascending the cross-entropy of {i} alone, one step at a time,
    /// until <paramref name="reached"/> holds for the logits of x_i (checked before every step, so 0 steps when θ₀ is
    /// already there) or <paramref name="cap"/> steps were taken. Returns the steps, whether it reached, and the probed
    /// model (the caller disposes it).
    /// </summary>
    internal static (int Steps, bool Reached, nn.Module<Tensor, Tensor> Model) Ascend(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index,
        double learningRate, int cap, Device device, Func<Tensor, bool> reached)
    {
        var model = ModelCopy.Clone(original, modelName, train, device);
        model.eval();
        using var one = train.Subset(new[] { index }).ImagesTensor(device);
        using var label = tensor(new[] { train.Labels[index] }, dtype: ScalarType.Int64, device: device);
        using var opt = Optimizers.Create(Optimizer.Sgd, model.parameters(), learningRate, 0, 0);
        int steps = 0;
        while (true)
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(one);
            if (reached(logits)) return (steps, true, model);
            if (steps == cap) return (steps, false, model);
            opt.zero_grad();
            (-nn.functional.cross_entropy(logits, label)).backward();
            opt.step();
            steps++;
        }
    }

    /// <summary>
    /// gt_memorization (Feldman &amp; Zhang's estimator) of each point: the mean correctness of the half-data models that
    /// trained on it minus that of the models that did not. correct[m][p] is model m's correctness on point p; seen[m][p]
    /// whether point p was in model m's half. NaN where either group is empty.
    /// </summary>
    public static double[] Memorization(IReadOnlyList<bool[]> correct, IReadOnlyList<bool[]> seen)
    {
        int n = correct[0].Length;
        var mem = new double[n];
        for (int p = 0; p < n; p++)
        {
            double inSum = 0, outSum = 0; int inN = 0, outN = 0;
            for (int m = 0; m < correct.Count; m++)
            {
                if (seen[m][p]) { inN++; if (correct[m][p]) inSum++; }
                else { outN++; if (correct[m][p]) outSum++; }
            }
            mem[p] = inN == 0 || outN == 0 ? double.NaN : inSum / inN - outSum / outN;
        }
        return mem;
    }
}
