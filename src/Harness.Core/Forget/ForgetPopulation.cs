using Harness.Data;
using Harness.Experiments;
using Harness.Populations;
using Harness.Runs;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Forget;

/// <summary>
/// The reference models of a deletion request: M models with the original's recipe on complementary halves, exactly as a
/// matrix's population (same halves and model seeds for the original's seed), so the checkpoints a matrix trained for the
/// same model are cache hits. Holds the models (for held-out KL), their φ tables over the training set, the original's φ,
/// and LiRA's member threshold at 1 % FPR measured on the population.
/// </summary>
public sealed class ForgetPopulation : IDisposable
{
    ForgetPopulation(List<nn.Module<Tensor, Tensor>> models, Population population, double threshold, double[] originalPhi, int cached, string describe)
    {
        Models = models; Population = population; Threshold = threshold; OriginalPhi = originalPhi; Cached = cached; Describe = describe;
    }

    public List<nn.Module<Tensor, Tensor>> Models { get; }
    public Population Population { get; }
    public double Threshold { get; }
    public double[] OriginalPhi { get; }
    public int Cached { get; }
    public string Describe { get; }

    public static ForgetPopulation GetOrTrain(DataSplits data, TrainedModel original, int models, CheckpointCache cache, IProgress? progress, Action<string> log)
    {
        var spec = new PopulationSpec(models);
        int seed = original.Settings.Seed;
        var members = ComplementaryHalves.Membership(models, data.Train.Count, spec.HalvesSeed(seed));
        var list = new List<nn.Module<Tensor, Tensor>>();
        var train = new List<Confidences>();
        var test = new List<Confidences>();
        int threads = TorchSharp.torch.get_num_threads(), cached = 0;
        for (int m = 0; m < models; m++)
        {
            var t = PopulationModel.GetOrTrain(data, original.ModelName, original.Settings, members[m], spec.ModelSeed(seed, m), cache, progress, log);
            if (t.CacheHit) cached++;
            Devices.PinThreads(threads);
            list.Add(t.Model);
            train.Add(PopulationModel.Measure(t.Model, data.Train, t.Device));
            test.Add(new Confidences(Array.Empty<double>(), Array.Empty<bool>()));
        }
        log($"reference population: {models} models ({cached} from the cache); LiRA's threshold from each model attacked with the others");
        var population = new Population(members, train, test);
        var strength = AttackEvaluation.Scores(population.TrainPhi, members).Strength(new[] { AttackEvaluation.MemberFpr }, models);
        var originalPhi = PopulationModel.Measure(original.Model, data.Train, original.Device).Phi;
        string describe = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{models} reference models (the original's recipe, one thread each, on complementary halves seeded {spec.HalvesSeed(seed)}); LiRA AUC {strength.Auc:F3} on them, member threshold Λ > {strength.Thresholds[AttackEvaluation.MemberFpr]:G4} at {AttackEvaluation.MemberFpr:P0} FPR");
        return new ForgetPopulation(list, population, strength.Thresholds[AttackEvaluation.MemberFpr], originalPhi, cached, describe);
    }

    public void Dispose()
    {
        foreach (var m in Models) m.Dispose();
        Models.Clear();
    }
}
