using Harness.Training;

namespace Harness.Unlearning;

/// <summary>Retrain: train from scratch on D_r only, from the original model's initialisation seed (the gold standard). Table 5: lr 0.1 for 10 epochs (MNIST-like), 0.01 for 100 (CIFAR-10, SVHN).</summary>
public sealed class Retrain() : Unlearner<RemainSetSettings>("retrain", "Retrain", "train from scratch on D_r only, from the original's initialisation seed",
    dataset => RemainSetSettings.Table5(dataset, cifarEpochs: 100))
{
    protected override UnlearnResult Run(UnlearnContext c, RemainSetSettings s)
    {
        var settings = s.AsTraining(c.OriginalTraining);
        var remain = c.RemainSet;
        c.ObserveTrainingData?.Invoke(Name, remain);
        var model = Trainer.Initialise(c.ModelName, remain, settings, c.Device);
        var losses = Trainer.Train(model, remain, settings, c.Device, c.Progress);
        return new UnlearnResult(model, new Dictionary<string, object> { ["epoch_losses"] = losses, ["trained_on"] = remain.Count, ["init_seed"] = settings.Seed });
    }
}
