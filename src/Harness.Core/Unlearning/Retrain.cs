using Harness.Training;

namespace Harness.Unlearning;

/// <summary>Retrain: train from scratch on D_r only, from the original model's initialisation seed (the gold standard).</summary>
public sealed class Retrain : IUnlearner
{
    public string Name => "retrain";

    public UnlearnResult Unlearn(UnlearnContext c)
    {
        c.Settings.Validate(Name);
        var settings = c.Settings.AsTraining(c.OriginalTraining);
        var remain = c.RemainSet;
        c.ObserveTrainingData?.Invoke(Name, remain);
        var model = Trainer.Initialise(c.ModelName, remain, settings, c.Device);
        var losses = Trainer.Train(model, remain, settings, c.Device, c.Progress);
        return new UnlearnResult(model, new Dictionary<string, object> { ["epoch_losses"] = losses, ["trained_on"] = remain.Count, ["init_seed"] = settings.Seed });
    }
}
