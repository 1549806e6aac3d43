using Harness.Models;
using Harness.Training;

namespace Harness.Unlearning;

/// <summary>FineTune: continue training the original model on the remaining set D_r only.</summary>
public sealed class FineTune : IUnlearner
{
    public string Name => "finetune";

    public UnlearnResult Unlearn(UnlearnContext c)
    {
        c.Settings.Validate(Name);
        var model = ModelCopy.Clone(c.Original, c.ModelName, c.Train, c.Device);
        var settings = c.Settings.AsTraining(c.OriginalTraining) with { Seed = c.Settings.Seed };
        var remain = c.RemainSet;
        c.ObserveTrainingData?.Invoke(Name, remain);
        var losses = Trainer.Train(model, remain, settings, c.Device, c.Progress);
        return new UnlearnResult(model, new Dictionary<string, object> { ["epoch_losses"] = losses, ["trained_on"] = remain.Count });
    }
}
