using Harness.Models;
using Harness.Training;

namespace Harness.Unlearning;

/// <summary>FineTune: continue training the original model on the remaining set D_r only. Table 5: lr 0.1 for 10 epochs (MNIST-like), 0.01 for 15 (CIFAR-10, SVHN).</summary>
public sealed class FineTune() : Unlearner<RemainSetSettings>("finetune", "FineTune", "continue training the original model on D_r only",
    dataset => RemainSetSettings.Table5(dataset, cifarEpochs: 15))
{
    protected override UnlearnResult Run(UnlearnContext c, RemainSetSettings s)
    {
        var model = ModelCopy.Clone(c.Original, c.ModelName, c.Train, c.Device);
        var settings = s.AsTraining(c.OriginalTraining) with { Seed = s.Seed };
        var remain = c.RemainSet;
        c.ObserveTrainingData?.Invoke(Name, remain);
        var losses = Trainer.Train(model, remain, settings, c.Device, c.Progress);
        return new UnlearnResult(model, new Dictionary<string, object> { ["epoch_losses"] = losses, ["trained_on"] = remain.Count });
    }
}
