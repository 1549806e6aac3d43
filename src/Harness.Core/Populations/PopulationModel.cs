using Harness.Data;
using Harness.Numerics;
using Harness.Runs;
using Harness.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Populations;

/// <summary>One model's logit-scaled confidence φ and correctness on every point of a set.</summary>
public sealed record Confidences(double[] Phi, bool[] Correct)
{
    public int Count => Phi.Length;
}

/// <summary>
/// One reference model of a population: the original's architecture and recipe (optimizer, lr, batch, epochs), its own
/// seed, trained on its half of the training set on one thread (so a population's models are the same whatever the number
/// of processes training them), cached in the checkpoint cache like any model.
/// </summary>
public static class PopulationModel
{
    /// <summary>The original's settings with the model's seed, one thread.</summary>
    public static TrainingSettings SettingsOf(TrainingSettings original, int seed) => original with { Seed = seed, Threads = 1 };

    public static TrainedModel GetOrTrain(DataSplits data, string modelName, TrainingSettings original, bool[] members, int seed,
        CheckpointCache cache, IProgress? progress, Action<string> log)
    {
        if (members.Length != data.Train.Count) throw new ArgumentException($"{members.Length} membership flags for {data.Train.Count} training points.");
        var half = Enumerable.Range(0, members.Length).Where(i => members[i]).ToArray();
        return TrainedModel.GetOrTrain(data with { Train = data.Train.Subset(half) }, modelName, SettingsOf(original, seed), cache, progress, log);
    }

    /// <summary>φ (from float64 logits) and correctness of a model on every point of a set.</summary>
    public static Confidences Measure(nn.Module<Tensor, Tensor> model, ImageSet set, Device device, int batch = 512)
    {
        model.eval();
        using var _ = no_grad();
        var phi = new double[set.Count];
        var correct = new bool[set.Count];
        // held for the whole loop (HeldScalars: an implicit Scalar can be freed during the native call)
        using var held = new HeldScalars();
        var scale = held.Of(255f);
        int pixels = set.PixelsPerImage;
        for (int s = 0; s < set.Count; s += batch)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(batch, set.Count - s);
            var bytes = new byte[count * pixels];
            Array.Copy(set.Pixels, (long)s * pixels, bytes, 0, bytes.Length);
            // as ImageSet.ImagesTensor: float32 in [0, 1]
            var x = tensor(bytes, new long[] { count, set.Channels, set.Height, set.Width }, dtype: ScalarType.Byte).to(ScalarType.Float32).div_(scale).to(device);
            var logits = model.forward(x).cpu();
            var flat = logits.data<float>().ToArray();
            int classes = (int)logits.shape[1];
            for (int r = 0; r < count; r++)
            {
                var row = flat.AsSpan(r * classes, classes);
                long label = set.Labels[s + r];
                phi[s + r] = LogitConfidence.Of(row, label);
                int arg = 0;
                for (int j = 1; j < classes; j++) if (row[j] > row[arg]) arg = j;
                correct[s + r] = arg == label;
            }
        }
        return new Confidences(phi, correct);
    }
}
