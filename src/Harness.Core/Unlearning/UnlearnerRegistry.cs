namespace Harness.Unlearning;

public static class UnlearnerRegistry
{
    static readonly IUnlearner[] All = { new GradAscent(), new FineTune(), new FisherForgetting(), new Retrain() };

    public static IEnumerable<string> Names => All.Select(u => u.Name);

    public static IUnlearner Get(string name) => All.FirstOrDefault(u => u.Name == name)
        ?? throw new HarnessException($"unknown unlearning algorithm '{name}'; known: {string.Join(", ", Names)}.");
}
