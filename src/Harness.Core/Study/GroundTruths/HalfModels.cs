using Harness.Runs;
using Harness.Evaluation;
using Harness.Data;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>One half-data model: which training points it saw and the trained model.</summary>
public sealed record HalfModel(int Index, bool[] Seen, TrainedModel Trained);

/// <summary>
/// The M half-data models of METHOD.md §6 (gt_memorization, heldout_kl). They come in complementary pairs: model 2j trains
/// on a seeded random half H_j of D_t and model 2j+1 on the other half, so every point is seen by exactly M/2 models and
/// unseen by M/2 (Feldman &amp; Zhang draw independent halves; pairs make both groups non-empty for every point). Each is
/// trained once with the original's settings (epochs replaced by the study's `half_epochs`, seed = original seed + 1 + m)
/// and cached in the checkpoint cache like any model, keyed on its training data's content.
/// </summary>
public static class HalfModels
{
    /// <summary>Membership of the M halves (M even): seen[m][i] for training point i.</summary>
    public static bool[][] Halves(int n, int m, int seed)
    {
        if (m < 2 || m % 2 != 0) throw new HarnessException($"half_models = {m} must be an even number ≥ 2 (they come in complementary pairs).");
        var seen = new bool[m][];
        for (int j = 0; j < m / 2; j++)
        {
            var order = Enumerable.Range(0, n).ToArray();
            new Random(unchecked(seed * 1_000_003 + 7919 * (j + 1))).Shuffle(order);
            var a = new bool[n];
            for (int k = 0; k < n / 2; k++) a[order[k]] = true;
            seen[2 * j] = a;
            seen[2 * j + 1] = a.Select(x => !x).ToArray();
        }
        return seen;
    }

    public static List<HalfModel> GetOrTrain(DataSplits data, string modelName, TrainingSettings original, int m, int epochs, int seed,
        CheckpointCache cache, IProgress? progress, Action<string> log)
    {
        var seen = Halves(data.Train.Count, m, seed);
        var models = new List<HalfModel>();
        for (int i = 0; i < m; i++)
        {
            var members = Enumerable.Range(0, data.Train.Count).Where(p => seen[i][p]).ToArray();
            var settings = original with { Epochs = epochs, Seed = original.Seed + 1 + i, MaxSteps = 0 };
            log($"half-data model {i + 1}/{m}: {members.Length} points, {epochs} epochs");
            var trained = TrainedModel.GetOrTrain(data with { Train = data.Train.Subset(members) }, modelName, settings, cache, progress, log);
            models.Add(new HalfModel(i, seen[i], trained));
        }
        return models;
    }

    /// <summary>float64 log-softmax rows of a model on the given training points.</summary>
    public static double[][] LogSoftmax(nn.Module<Tensor, Tensor> model, ImageSet train, IReadOnlyList<int> points, Device device)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = train.Subset(points).ImagesTensor(device);
        var rows = new double[points.Count][];
        for (int s = 0; s < points.Count; s += Evaluator.Batch)
        {
            int count = Math.Min(Evaluator.Batch, points.Count - s);
            var lp = nn.functional.log_softmax(model.forward(x.narrow(0, s, count)).to(ScalarType.Float64), 1).cpu();
            var flat = lp.data<double>().ToArray();
            int c = (int)lp.shape[1];
            for (int r = 0; r < count; r++) rows[s + r] = flat.AsSpan(r * c, c).ToArray();
        }
        return rows;
    }
}
