using Harness.Data;
using Harness.Training;
using Harness.Util;
using static TorchSharp.torch;

namespace Harness.Unlearning;

/// <summary>What an unlearning algorithm is given. The original model is never modified: algorithms work on a copy.</summary>
public sealed record UnlearnContext(
    nn.Module<Tensor, Tensor> Original,
    string ModelName,
    ImageSet Train,
    int[] Forget,
    int[] Remain,
    UnlearnSettings Settings,
    TrainingSettings OriginalTraining,
    Device Device,
    IProgress? Progress = null,
    Action<string, ImageSet>? ObserveTrainingData = null)
{
    ImageSet? forgetSet, remainSet;

    /// <summary>D_f and D_r as image sets, built once per context.</summary>
    public ImageSet ForgetSet => forgetSet ??= Train.Subset(Forget);
    public ImageSet RemainSet => remainSet ??= Train.Subset(Remain);
}

/// <summary>The unlearned model and what the algorithm itself reports (steps taken, stopping reason, ...).</summary>
public sealed record UnlearnResult(nn.Module<Tensor, Tensor> Model, Dictionary<string, object> Details);

/// <summary>An unlearning algorithm, registered by the name the YAML and CLI use.</summary>
public interface IUnlearner
{
    string Name { get; }
    UnlearnResult Unlearn(UnlearnContext context);
}
