using Harness.Data;
using Harness.Training;
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

/// <summary>An unlearning algorithm, registered in <see cref="UnlearnerRegistry"/> by the name the YAML and CLI use.</summary>
public interface IUnlearner
{
    /// <summary>The name the YAML and CLI use (`gradascent`).</summary>
    string Name { get; }
    /// <summary>The paper's name, as tables and figures show it (`GradAscent`).</summary>
    string Display { get; }
    /// <summary>One line for `harness unlearn --help`.</summary>
    string Summary { get; }
    /// <summary>The settings record type, whose <see cref="Config.SettingAttribute"/> properties are its options and YAML keys.</summary>
    Type SettingsType { get; }
    /// <summary>The paper's Table 5 settings for a data set.</summary>
    UnlearnSettings Defaults(string dataset);
    UnlearnResult Unlearn(UnlearnContext context);
}

/// <summary>
/// An unlearner with its own settings type: its names, its one-line summary and its Table 5 defaults are given once, to
/// this constructor; it checks and validates the settings it is given.
/// </summary>
public abstract class Unlearner<TSettings>(string name, string display, string summary, Func<string, TSettings> table5) : IUnlearner where TSettings : UnlearnSettings
{
    public string Name => name;
    public string Display => display;
    public string Summary => summary;
    public Type SettingsType => typeof(TSettings);
    public TSettings Defaults(string dataset) => table5(dataset);
    UnlearnSettings IUnlearner.Defaults(string dataset) => Defaults(dataset);

    public UnlearnResult Unlearn(UnlearnContext context)
    {
        var s = context.Settings as TSettings
            ?? throw new ArgumentException($"{Name} needs {typeof(TSettings).Name}, got {context.Settings.GetType().Name}.");
        s.Validate(Name);
        return Run(context, s);
    }

    protected abstract UnlearnResult Run(UnlearnContext context, TSettings settings);
}
