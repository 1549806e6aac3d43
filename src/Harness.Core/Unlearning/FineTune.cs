using Harness.Models;
using Harness.Training;

namespace Harness.Unlearning;

public sealed record FineTuneSettings : StepSettings
{
    /// <summary>Table 5: lr 0.1 for 10 epochs (MNIST-like), 0.01 for 15 (CIFAR-10, SVHN).</summary>
    public static FineTuneSettings Table5(string dataset) => new()
    {
        BatchSize = BatchFor(dataset), LearningRate = MnistLike(dataset) ? 0.1 : 0.01, Epochs = MnistLike(dataset) ? 10 : 15,
    };
}

/// <summary>FineTune: continue training the original model on the remaining set D_r only.</summary>
public sealed class FineTune : Unlearner<FineTuneSettings>
{
    public override string Name => "finetune";
    public override string Display => "FineTune";
    public override string Summary => "continue training the original model on D_r only";
    public override FineTuneSettings Defaults(string dataset) => FineTuneSettings.Table5(dataset);

    protected override UnlearnResult Run(UnlearnContext c, FineTuneSettings s)
    {
        var model = ModelCopy.Clone(c.Original, c.ModelName, c.Train, c.Device);
        var settings = s.AsTraining(c.OriginalTraining) with { Seed = s.Seed };
        var remain = c.RemainSet;
        c.ObserveTrainingData?.Invoke(Name, remain);
        var losses = Trainer.Train(model, remain, settings, c.Device, c.Progress);
        return new UnlearnResult(model, new Dictionary<string, object> { ["epoch_losses"] = losses, ["trained_on"] = remain.Count });
    }
}
