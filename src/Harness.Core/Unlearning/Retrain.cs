using Harness.Training;

namespace Harness.Unlearning;

public sealed record RetrainSettings : StepSettings
{
    /// <summary>Table 5: lr 0.1 for 10 epochs (MNIST-like), 0.01 for 100 (CIFAR-10, SVHN).</summary>
    public static RetrainSettings Table5(string dataset) => new()
    {
        BatchSize = BatchFor(dataset), LearningRate = MnistLike(dataset) ? 0.1 : 0.01, Epochs = MnistLike(dataset) ? 10 : 100,
    };
}

/// <summary>Retrain: train from scratch on D_r only, from the original model's initialisation seed (the gold standard).</summary>
public sealed class Retrain : Unlearner<RetrainSettings>
{
    public override string Name => "retrain";
    public override string Display => "Retrain";
    public override string Summary => "train from scratch on D_r only, from the original's initialisation seed";
    public override RetrainSettings Defaults(string dataset) => RetrainSettings.Table5(dataset);

    protected override UnlearnResult Run(UnlearnContext c, RetrainSettings s)
    {
        var settings = s.AsTraining(c.OriginalTraining);
        var remain = c.RemainSet;
        c.ObserveTrainingData?.Invoke(Name, remain);
        var model = Trainer.Initialise(c.ModelName, remain, settings, c.Device);
        var losses = Trainer.Train(model, remain, settings, c.Device, c.Progress);
        return new UnlearnResult(model, new Dictionary<string, object> { ["epoch_losses"] = losses, ["trained_on"] = remain.Count, ["init_seed"] = settings.Seed });
    }
}
