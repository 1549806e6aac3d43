using Harness.Runs;
using Harness.Evaluation;
using System.Diagnostics;
using Harness.Data;
using Harness.Training;
using Harness.Numerics;

namespace Harness.Jobs;

/// <summary>
/// The training settings a user sets, declared once: each is a key under a matrix's `training:` in experiments.yaml and
/// the option of the same name on every command that trains (`--lr`, `--train-limit`, ...). Null keeps the data set's
/// profile (<see cref="Profiles.DatasetProfiles"/>: the paper's Table 4).
/// </summary>
public record TrainingOverrides
{
    [Setting("model", "model", Names = typeof(Models.ModelFactory))]
    public string? Model { get; init; }
    [Setting("epochs", "training epochs", Min = 0, Max = 10_000)]
    public int? Epochs { get; init; }
    [Setting("lr", "training learning rate", Min = 0, Max = 100, ExclusiveMin = true)]
    public double? LearningRate { get; init; }
    [Setting("batch", "training batch size", Min = 1, Max = 1_000_000)]
    public int? BatchSize { get; init; }
    [Setting("optimizer", "training optimizer")]
    public Optimizer? Optimizer { get; init; }
    [Setting("threads", "CPU threads; 0 = all cores", Min = 0, Max = 1024)]
    public int? Threads { get; init; }
    [Setting("device", "device")]
    public DeviceChoice? Device { get; init; }
    [Setting("train_limit", "train on only the first N training points", Min = 2, Max = int.MaxValue)]
    public int? TrainLimit { get; init; }
    /// <summary>Canaries: this many seeded training points get a seeded wrong label before anything trains (<see cref="Data.Canaries"/>).</summary>
    [Setting("canaries", "give N seeded training points a seeded wrong label before anything trains (memorization canaries)", Min = 0, Max = int.MaxValue)]
    public int? Canaries { get; init; }
    [Setting("canary_seed", "the seed that picks the canaries and their labels", Min = 0, Max = int.MaxValue)]
    public int? CanarySeed { get; init; }
    /// <summary>Evaluate on only the first N test images (small CI profiles).</summary>
    [Setting("test_limit", "evaluate on only the first N test images", Min = 1, Max = int.MaxValue)]
    public int? TestLimit { get; init; }
}

/// <summary>Options of `harness train` (and the training part of every later job): the data set, the seed and where things are, with the training settings.</summary>
public sealed record TrainOptions : TrainingOverrides
{
    public string Dataset { get; init; } = "mnist";
    public int? Seed { get; init; }
    public string? DataRoot { get; init; }
    public string? CacheRoot { get; init; }
    public string? ConfigPath { get; init; }

    public string ResolvedModel => Model ?? Profile.Model;

    /// <summary>The data set's defaults: its own profile, or the one its declaration in the experiments file names.</summary>
    public Profiles.DatasetProfile Profile
    {
        get
        {
            Registry(); // reads the file's `datasets:` declarations, with their profiles
            return Profiles.DatasetProfiles.Of(Dataset);
        }
    }

    /// <summary>The built-in data sets and those the experiments file declares.</summary>
    public DatasetRegistry Registry() => DatasetRegistry.WithDeclared(ConfigPath ?? Path.Combine(Paths.RepoRoot, "experiments.yaml"));

    /// <summary>The paper's defaults for the data set, overridden by whatever was given.</summary>
    public TrainingSettings ResolveSettings()
    {
        var d = Profile.Training;
        return d with
        {
            Epochs = Epochs ?? d.Epochs,
            Seed = Seed ?? d.Seed,
            Threads = Threads ?? d.Threads,
            Device = Device ?? d.Device,
            LearningRate = LearningRate ?? d.LearningRate,
            BatchSize = BatchSize ?? d.BatchSize,
            Optimizer = Optimizer ?? d.Optimizer,
        };
    }

    public DataSplits LoadData()
    {
        var registry = Registry();
        if (TrainLimit is < 1) throw new HarnessException($"train limit {TrainLimit} must be positive.");
        if (TestLimit is < 1) throw new HarnessException($"test limit {TestLimit} must be positive.");
        var data = DatasetLoader.Load(registry.Get(Dataset), DataRoot, TrainLimit);
        if (Canaries is > 0) data = Data.Canaries.Apply(data, Canaries.Value, CanarySeed ?? 0);
        return TestLimit is int t ? data with { Test = data.Test.Take(t) } : data;
    }
}

/// <summary>What `harness train` writes to train.json. Accuracies are fractions 0–1.</summary>
public sealed record TrainReport(
    string Dataset, string Model, int TrainCount, int ValidationCount, int TestCount,
    double TrainAccuracy, double ValidationAccuracy, double TestAccuracy,
    double TrainLoss, double ValidationLoss, double TestLoss, double[] EpochLosses,
    double TrainSeconds, double EvaluationSeconds, bool CacheHit, int Threads, string Device,
    string CheckpointPath, TrainingSettings Settings, string TorchSharpVersion, string LibTorchVersion,
    CanarySet? Canaries = null, double? CanaryAccuracy = null);

public static class TrainJob
{
    /// <summary>The data, the trained model and its settings, the runtime it ran on, and the library versions.</summary>
    public static FingerprintInputs Inputs(DataSplits data, TrainedModel trained) => new FingerprintInputs()
        .Add("data.name", data.Name).Add("data.train_sha256", data.Train.Fingerprint()).Add("data.test_sha256", data.Test.Fingerprint())
        .Add("data.train_count", $"{data.Train.Count}").Add("data.test_count", $"{data.Test.Count}")
        .Add("training.model", trained.ModelName).Add("training.checkpoint_sha256", trained.Checkpoint.Sha256)
        .Add("runtime.threads", $"{trained.Threads}").Add("runtime.device", trained.Device.type.ToString().ToLowerInvariant())
        .Add("runtime.cpu_isa", CpuIsa.Describe())
        .Add("versions.torchsharp", Versions.TorchSharp).Add("versions.libtorch", Versions.LibTorch)
        .Settings("training", trained.Settings);

    public static (TrainedModel Model, DataSplits Data, TrainReport Report) Run(TrainOptions options, IProgress? progress = null, Action<string>? log = null)
    {
        log ??= Console.Error.WriteLine;
        var settings = options.ResolveSettings();
        settings.Validate();
        var data = options.LoadData();
        log($"{data.Name}: {data.Train.Count} train, {data.Validation.Count} validation, {data.Test.Count} test images; model {options.ResolvedModel}, " +
            $"{Config.Choice.Name(settings.Optimizer)} lr {settings.LearningRate}, batch {settings.BatchSize}, {settings.Epochs} epochs, seed {settings.Seed}, {settings.ResolvedThreads} threads");
        var trained = TrainedModel.GetOrTrain(data, options.ResolvedModel, settings, new CheckpointCache(options.CacheRoot), progress, log);
        if (trained.CacheHit) log($"cache hit: loaded {trained.CheckpointPath}");
        var watch = Stopwatch.StartNew();
        var train = Evaluator.Evaluate(trained.Model, data.Train, trained.Device);
        var val = Evaluator.Evaluate(trained.Model, data.Validation, trained.Device);
        var test = Evaluator.Evaluate(trained.Model, data.Test, trained.Device);
        // The share of canaries the model predicts with the wrong label it was given: what it memorized.
        double? canaryAccuracy = data.Canaries is { } c ? Evaluator.Evaluate(trained.Model, data.Train.Subset(c.Index), trained.Device).Accuracy : null;
        if (data.Canaries is { } cs) log($"{cs.Count} canaries (seed {cs.Seed}): the model gives {canaryAccuracy:P1} of them the wrong label they were given");
        var report = new TrainReport(data.Name, options.ResolvedModel, data.Train.Count, data.Validation.Count, data.Test.Count,
            train.Accuracy, val.Accuracy, test.Accuracy, train.Loss, val.Loss, test.Loss, trained.Checkpoint.EpochLosses,
            trained.Checkpoint.TrainSeconds, watch.Elapsed.TotalSeconds, trained.CacheHit, trained.Threads,
            trained.Device.type.ToString().ToLowerInvariant(), trained.CheckpointPath, settings, Versions.TorchSharp, Versions.LibTorch,
            data.Canaries, canaryAccuracy);
        return (trained, data, report);
    }
}
