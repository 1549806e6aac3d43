using Harness.Evaluation;
using Harness.Data;
using Harness.Models;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>gt_steps and gt_collateral of one point: the probe's steps, whether it hit the cap, and test accuracy before and at that moment.</summary>
public sealed record StepsProbe(int Steps, bool Censored, double TestAccuracyBefore, double TestAccuracyAfter)
{
    /// <summary>gt_steps: the steps, or cap + 1 for a censored point (all censored points tie there).</summary>
    public double Value(int cap) => Censored ? cap + 1 : Steps;
    /// <summary>gt_collateral: the test-accuracy drop of θ₀ when the probe stops.</summary>
    public double Collateral => TestAccuracyBefore - TestAccuracyAfter;
}

/// <summary>One rung of the expansion ladder: k, whether x_i was misclassified after GradAscent on {i} ∪ top-k, and the steps it took.</summary>
public sealed record LadderStep(int K, bool Forgotten, int Steps, string StoppedBy);

/// <summary>gt_expansion of one point: the smallest k of the ladder that made the model misclassify x_i, or censored.</summary>
public sealed record ExpansionProbe(int? K, IReadOnlyList<LadderStep> Ladder)
{
    public bool Censored => K is null;
    /// <summary>gt_expansion: k, or the ladder's largest k + 1 for a censored point.</summary>
    public double Value(IReadOnlyList<int> ladder) => K ?? ladder.Max() + 1;
}

/// <summary>gt_oracle_steps of one point: the probe's steps until φ fell below the threshold (out mean + 2 sd), or censored at the cap.</summary>
public sealed record OracleProbe(int Steps, bool Censored, double Threshold, double PhiBefore, double PhiAfter)
{
    public double Value(int cap) => Censored ? cap + 1 : Steps;
}

/// <summary>
/// gt_ulira_eps and gt_klom of one point: φ of K population models that trained on x_i before and after GradAscent on {i},
/// φ of the models that never saw it, the per-example ε (with its competition points) and KLOM between after and out.
/// </summary>
public sealed record UliraProbe(double[] PhiBefore, double[] PhiAfter, double[] PhiOut, int[] Models, int[] Steps, double Epsilon, double EpsilonPoints, bool Peaky, double Klom);

/// <summary>
/// The per-point ground truths of docs/method.md, each computed from the same original model θ₀, which is never modified.
/// </summary>
public static class GroundTruths
{
    /// <summary>
    /// gt_steps and gt_collateral: plain SGD (no momentum, no weight decay) ascending the cross-entropy of {i} alone, one step
    /// at a time, until θ's prediction on x_i is no longer y_i. The model stays in eval mode (a single-point batch must not
    /// update batch-norm statistics). A point θ₀ already misclassifies needs 0 steps. After <paramref name="cap"/> steps
    /// without a flip the point is censored. The test accuracy is measured once, when the probe stops.
    /// </summary>
    public static StepsProbe Steps(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index, double learningRate, int cap,
        Tensor testX, Tensor testY, double testAccuracyBefore, Device device)
    {
        var (steps, flipped, probed) = Ascend(original, modelName, train, index, learningRate, cap, device,
            logits => logits.argmax(1).item<long>() != train.Labels[index]);
        using (probed) return new StepsProbe(steps, !flipped, testAccuracyBefore, Evaluator.Evaluate(probed, testX, testY).Accuracy);
    }

    /// <summary>
    /// gt_oracle_steps: the probe of <see cref="Steps"/> (plain SGD ascending the cross-entropy of {i}, eval mode), stopped
    /// when φ(x_i) under the probed model is below the point's out mean + 2 sd in <paramref name="population"/> (its LiRA
    /// out deviation): the work to reach what a model that never saw x_i gives. 0 when θ₀ is already there; censored after
    /// <paramref name="cap"/> steps.
    /// </summary>
    public static OracleProbe OracleSteps(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index, double learningRate, int cap,
        Populations.Population population, Device device)
    {
        var fit = population.Fit(index);
        double threshold = fit.OutMean + 2 * Populations.Lira.Deviations(fit, population.GlobalSd).Out;
        double first = double.NaN, phi = double.NaN;
        var (steps, reached, probed) = Ascend(original, modelName, train, index, learningRate, cap, device, logits =>
        {
            phi = Populations.LogitConfidence.Of(logits.detach().cpu().data<float>().ToArray(), train.Labels[index]);
            if (double.IsNaN(first)) first = phi;
            return phi < threshold;
        });
        probed.Dispose();
        return new OracleProbe(steps, !reached, threshold, first, phi);
    }

    /// <summary>
    /// The probe both step ground truths share: a copy of θ₀ in eval mode (a single-point batch must not update batch-norm
    /// statistics), plain SGD (no momentum, no weight decay) ascending the cross-entropy of {i} alone, one step at a time,
    /// until <paramref name="reached"/> holds for the logits of x_i (checked before every step, so 0 steps when θ₀ is
    /// already there) or <paramref name="cap"/> steps were taken. Returns the steps, whether it reached, and the probed
    /// model (the caller disposes it).
    /// </summary>
    static (int Steps, bool Reached, nn.Module<Tensor, Tensor> Model) Ascend(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index,
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
    /// gt_ulira_eps and gt_klom (Hayes et al.'s U-LiRA, scored as the NeurIPS 2023 competition and as KLOM): GradAscent with
    /// <paramref name="settings"/> on {i} applied to each of <paramref name="inModels"/> (population models that trained on
    /// x_i), φ of each after it, against <paramref name="outPhi"/> (φ of the models that never saw x_i).
    /// </summary>
    public static UliraProbe Ulira(IReadOnlyList<(int Index, nn.Module<Tensor, Tensor> Model)> inModels, string modelName, ImageSet train, int index,
        IReadOnlyList<double> outPhi, GradAscentSettings settings, TrainingSettings originalTraining, Device device)
    {
        var point = train.Subset(new[] { index });
        var before = new double[inModels.Count];
        var after = new double[inModels.Count];
        var steps = new int[inModels.Count];
        for (int k = 0; k < inModels.Count; k++)
        {
            before[k] = Populations.PopulationModel.Measure(inModels[k].Model, point, device).Phi[0];
            var context = new UnlearnContext(inModels[k].Model, modelName, train, new[] { index }, Array.Empty<int>(), settings, originalTraining, device);
            var result = new GradAscent().Unlearn(context);
            using (result.Model) after[k] = Populations.PopulationModel.Measure(result.Model, point, device).Phi[0];
            steps[k] = Convert.ToInt32(result.Details["steps"]);
        }
        var eps = Populations.PerExampleEpsilon.Of(after, outPhi);
        return new UliraProbe(before, after, outPhi.ToArray(), inModels.Select(m => m.Index).ToArray(), steps, eps.Epsilon, eps.Points, eps.Peaky,
            Populations.Klom.Of(after, outPhi));
    }

    /// <summary>
    /// gt_expansion (the paper's Sec. 5.3 ground truth): for k along the ladder, GradAscent with <paramref name="settings"/>
    /// (Table 5) from θ₀ on {i} ∪ its top-k Stein neighbours; the first k after which θ misclassifies x_i.
    /// </summary>
    public static ExpansionProbe Expansion(nn.Module<Tensor, Tensor> original, string modelName, ImageSet train, int index, ReadOnlyMemory<int> neighbors,
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
        return new ExpansionProbe(steps[kept].Forgotten ? steps[kept].K : null, steps);
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

    /// <summary>
    /// The held-out KL proxy of each point: the mean over the models that did not see it of KL(p₀‖p_m) + KL(p_m‖p₀), from
    /// float64 log-softmax rows (logP0[p], logPm[m][p], C classes each). NaN where every model saw the point.
    /// </summary>
    public static double[] HeldoutKl(double[][] logP0, IReadOnlyList<double[][]> logPm, IReadOnlyList<bool[]> seen)
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
    /// The held-out KL of the given training points: the original's log-softmax rows on them (<see cref="LogSoftmax"/>)
    /// against each population model's, each point compared with the models whose half (<paramref name="members"/>[m], over
    /// the whole training set) did not hold it.
    /// </summary>
    public static double[] HeldoutKl(double[][] logP0, IReadOnlyList<nn.Module<Tensor, Tensor>> models, IReadOnlyList<bool[]> members,
        ImageSet train, IReadOnlyList<int> points, Device device)
    {
        var seen = members.Select(row => points.Select(i => row[i]).ToArray()).ToList();
        var logPm = models.Select(m => LogSoftmax(m, train, points, device)).ToList();
        return HeldoutKl(logP0, logPm, seen);
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
