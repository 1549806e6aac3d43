using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// The held-out KL proxy (docs/method.md): per point, the mean over the models that did not see it of KL(p₀‖p_m) + KL(p_m‖p₀),
/// from float64 log-softmax rows.
/// </summary>
public static class HeldoutKl
{
    /// <summary>Rows per forward pass: the evaluator's batch (<c>Evaluation.Evaluator.Batch</c>), so the rows are those its passes give.</summary>
    const int Batch = 256;

    /// <summary>From log-softmax rows: logP0[p], logPm[m][p] (C classes each); seen[m][p] whether model m saw point p. NaN where every model saw it.</summary>
    public static double[] Of(double[][] logP0, IReadOnlyList<double[][]> logPm, IReadOnlyList<bool[]> seen)
    {
        int n = logP0.Length;
        var kl = new double[n];
        for (int p = 0; p < n; p++)
        {
            double sum = 0; int count = 0;
            for (int m = 0; m < logPm.Count; m++)
            {
                if (seen[m][p]) continue;
                double s = 0;
                for (int c = 0; c < logP0[p].Length; c++)
                {
                    double a = logP0[p][c], b = logPm[m][p][c];
                    s += (Math.Exp(a) - Math.Exp(b)) * (a - b); // KL(p‖q) + KL(q‖p) = Σ (p − q)(log p − log q)
                }
                sum += s; count++;
            }
            kl[p] = count == 0 ? double.NaN : sum / count;
        }
        return kl;
    }

    /// <summary>
    /// Of the given training points: the original's log-softmax rows on them (<see cref="LogSoftmax"/>) against each of
    /// <paramref name="models"/>', each point compared with the models whose half (<paramref name="members"/>[m], over the
    /// whole training set) did not hold it.
    /// </summary>
    public static double[] Of(nn.Module<Tensor, Tensor> original, IReadOnlyList<nn.Module<Tensor, Tensor>> models, IReadOnlyList<bool[]> members,
        ImageSet train, IReadOnlyList<int> points, Device device)
    {
        var seen = members.Select(row => points.Select(i => row[i]).ToArray()).ToList();
        var logPm = models.Select(m => LogSoftmax(m, train, points, device)).ToList();
        return Of(LogSoftmax(original, train, points, device), logPm, seen);
    }

    /// <summary>float64 log-softmax rows of a model on the given training points.</summary>
    public static double[][] LogSoftmax(nn.Module<Tensor, Tensor> model, ImageSet train, IReadOnlyList<int> points, Device device)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = train.Subset(points).ImagesTensor(device);
        var rows = new double[points.Count][];
        for (int s = 0; s < points.Count; s += Batch)
        {
            int count = Math.Min(Batch, points.Count - s);
            var lp = nn.functional.log_softmax(model.forward(x.narrow(0, s, count)).to(ScalarType.Float64), 1).cpu();
            var flat = lp.data<double>().ToArray();
            int c = (int)lp.shape[1];
            for (int r = 0; r < count; r++) rows[s + r] = flat.AsSpan(r * c, c).ToArray();
        }
        return rows;
    }
}
