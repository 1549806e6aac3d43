using Harness.Data;
using Harness.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>Mini-batch training with cross-entropy, seeded initialisation and seeded shuffling, on a pinned thread count.</summary>
public static class Trainer
{
    /// <summary>A freshly initialised model: torch's generator is seeded with <c>settings.Seed</c> first, so the same seed gives the same weights.</summary>
    public static nn.Module<Tensor, Tensor> Initialise(string modelName, ImageSet data, TrainingSettings settings, Device device)
    {
        manual_seed(settings.Seed);
        var model = ModelFactory.Create(modelName, data);
        model.to(device);
        return model;
    }

    /// <summary>
    /// Trains in place for <c>settings.Epochs</c> epochs; returns the mean training loss of each epoch. With
    /// <paramref name="learningEvents"/> (one entry per training point) it also records the learning-events proxy of Zhao et
    /// al. (docs/method.md): the mean over epochs of p(y_i|x_i) from the training forward pass that reaches point i, before that
    /// batch's update. It only reads the logits the step computes anyway, so the trained weights are the same with or without it.
    /// </summary>
    public static double[] Train(nn.Module<Tensor, Tensor> model, ImageSet data, TrainingSettings settings, Device device, IProgress? progress = null,
        double[]? learningEvents = null)
    {
        settings.Validate();
        Devices.PinThreads(settings.ResolvedThreads);
        var epochLosses = new double[settings.Epochs];
        if (data.Count == 0 || settings.Epochs == 0) return epochLosses;
        using var x = data.ImagesTensor(device);
        using var y = data.LabelsTensor(device);
        using var opt = Optimizers.Create(settings.Optimizer, model.parameters(), settings.LearningRate, settings.Momentum, settings.WeightDecay);
        var rng = new Random(unchecked(settings.Seed * 7919 + 17));
        int n = data.Count, batches = (n + settings.BatchSize - 1) / settings.BatchSize;
        long total = (long)settings.Epochs * batches, limit = settings.MaxSteps > 0 ? Math.Min(total, settings.MaxSteps) : total;
        var order = Enumerable.Range(0, n).ToArray();
        if (learningEvents != null && learningEvents.Length != n) throw new ArgumentException($"learning events need {n} entries, got {learningEvents.Length}");
        var seenCount = learningEvents != null ? new int[n] : null;
        if (learningEvents != null) Array.Clear(learningEvents);
        model.train();
        progress?.Start("train", limit);
        long steps = 0;
        for (int epoch = 0; epoch < settings.Epochs && steps < limit; epoch++)
        {
            rng.Shuffle(order);
            using var perm = tensor(order.Select(i => (long)i).ToArray(), device: device);
            double sum = 0;
            int seen = 0;
            for (int b = 0; b < batches && steps < limit; b++, steps++)
            {
                using var scope = NewDisposeScope();
                int s = b * settings.BatchSize, e = Math.Min(n, s + settings.BatchSize);
                var idx = perm[s..e];
                opt.zero_grad();
                var yb = y.index_select(0, idx);
                var logits = model.forward(x.index_select(0, idx));
                var loss = nn.functional.cross_entropy(logits, yb);
                if (learningEvents != null)
                    using (no_grad())
                    {
                        var py = nn.functional.softmax(logits.detach().to(ScalarType.Float64), 1).gather(1, yb.unsqueeze(1)).squeeze(1).cpu().data<double>().ToArray();
                        for (int k = 0; k < py.Length; k++) { learningEvents[order[s + k]] += py[k]; seenCount![order[s + k]]++; }
                    }
                loss.backward();
                opt.step();
                double l = loss.item<float>();
                if (!double.IsFinite(l))
                    throw new HarnessException($"training diverged: loss is {l} at epoch {epoch + 1}, batch {b + 1}. Lower the learning rate ({settings.LearningRate}).");
                sum += l * (e - s);
                seen = e;
                progress?.Report(steps + 1, $"epoch {epoch + 1}/{settings.Epochs} loss {sum / e:F4}");
            }
            epochLosses[epoch] = sum / seen; // over the samples this epoch reached (all of them unless max steps stopped it)
        }
        progress?.Finish();
        if (learningEvents != null)
            for (int i = 0; i < n; i++) learningEvents[i] = seenCount![i] > 0 ? learningEvents[i] / seenCount[i] : double.NaN;
        model.eval();
        return settings.MaxSteps > 0 ? epochLosses.Where((_, i) => (long)i * batches < limit).ToArray() : epochLosses;
    }
}
