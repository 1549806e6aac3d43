
namespace Harness.Unlearning;

/// <summary>Every unlearning algorithm by name. Adding one = its file (algorithm + settings record) and one line here.</summary>
public static class UnlearnerRegistry
{
    static readonly IUnlearner[] All = { new GradAscent(), new FineTune(), new FisherForgetting(), new Retrain() };

    public static IReadOnlyList<IUnlearner> Unlearners => All;

    public static IEnumerable<string> Names => All.Select(u => u.Name);

    /// <summary>The name as typed, checked: the same message from the command line and from experiments.yaml.</summary>
    public static string Parse(string raw) => Choice.Known("unlearning algorithm", raw, Names);

    public static IUnlearner Get(string name) => All.FirstOrDefault(u => u.Name == name) ?? throw new HarnessException(Choice.Unknown("unlearning algorithm", name, Names));

    /// <summary>Table 5 defaults of an algorithm for a data set, with the given settings replaced.</summary>
    public static UnlearnSettings Resolve(string algorithm, string dataset, IReadOnlyDictionary<string, object>? overrides = null) =>
        SettingsSchema.With(Get(algorithm).Defaults(dataset), overrides ?? new Dictionary<string, object>());
}
