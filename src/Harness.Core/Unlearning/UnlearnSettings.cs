using Harness.Training;

namespace Harness.Unlearning;

/// <summary>
/// What every unlearning algorithm's settings have. Each algorithm declares its own record (beside it, in its file) with
/// its Table 5 defaults; the <see cref="SettingAttribute"/> on a property makes it a YAML key under
/// `unlearning: {algorithm: {…}}` and a `harness unlearn --unlearn-KEY` option. What Table 5 leaves out (optimizer,
/// momentum, weight decay, batch size) follows OPTML-Group/Unlearn-Sparse, the reference docs/method.md names: SGD with
/// momentum 0.9 and weight decay 5e-4, batches of the data set's training batch size.
/// </summary>
public abstract record UnlearnSettings
{
    [Setting("batch", "batch size", Min = 1, Max = 1_000_000)]
    public int BatchSize { get; init; } = 150;

    /// <summary>Seeds the algorithm's randomness (Fisher noise, FineTune shuffling) and the MIA shadow sample; a matrix sets it to the cell's seed.</summary>
    public int Seed { get; init; }

    public void Validate(string algorithm) => SettingsSchema.Validate(this, algorithm);

    /// <summary>Table 5 groups MNIST and Fashion-MNIST (and user data) against CIFAR-10 and SVHN: the data set's profile says which.</summary>
    protected static bool MnistLike(string dataset) => Profiles.DatasetProfiles.Of(dataset).Table5 == Profiles.Table5Group.MnistLike;
    protected static int BatchFor(string dataset) => Profiles.DatasetProfiles.Of(dataset).UnlearnBatch;

}

/// <summary>Settings of the algorithms that take optimizer steps (GradAscent, FineTune, Retrain).</summary>
public abstract record StepSettings : UnlearnSettings
{
    [Setting("optimizer", "optimizer")]
    public Optimizer Optimizer { get; init; } = Optimizer.Sgd;

    [Setting("lr", "learning rate", Min = 0, Max = 100)]
    public double LearningRate { get; init; }

    [Setting("epochs", "epochs (GradAscent: the cap)", Min = 0, Max = 10_000)]
    public int Epochs { get; init; }

    [Setting("max_steps", "stop after this many optimizer steps in all (a fraction of an epoch, say); 0 = no limit", Min = 0, Max = int.MaxValue)]
    public int MaxSteps { get; init; }

    [Setting("momentum", "SGD momentum", Min = 0, Max = 1)]
    public double Momentum { get; init; } = 0.9;

    [Setting("weight_decay", "weight decay", Min = 0, Max = 1)]
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>These settings as training settings (FineTune, Retrain), keeping the original's seed, threads and device.</summary>
    public TrainingSettings AsTraining(TrainingSettings original) => original with
    {
        Optimizer = Optimizer, LearningRate = LearningRate, Momentum = Momentum, WeightDecay = WeightDecay,
        BatchSize = BatchSize, Epochs = Epochs, MaxSteps = MaxSteps,
    };
}

/// <summary>Settings of the algorithms that train on the remaining set D_r (FineTune, Retrain): the step settings alone.</summary>
public sealed record RemainSetSettings : StepSettings
{
    /// <summary>Table 5's FineTune and Retrain rows: lr 0.1 for 10 epochs (MNIST-like), 0.01 for <paramref name="cifarEpochs"/> (CIFAR-10, SVHN).</summary>
    public static RemainSetSettings Table5(string dataset, int cifarEpochs) => new()
    {
        BatchSize = BatchFor(dataset), LearningRate = MnistLike(dataset) ? 0.1 : 0.01, Epochs = MnistLike(dataset) ? 10 : cifarEpochs,
    };
}
