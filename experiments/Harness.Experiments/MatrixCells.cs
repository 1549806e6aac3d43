using Harness.Config;
using Harness.Experiments;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Experiments.Fixtures;

/// <summary>
/// The static source of the experiment fixtures: reads experiments.yaml (or HARNESS_CONFIG) when tests load and yields
/// one case per cell, named by content, with the matrix as its category. HARNESS_MATRIX (comma-separated, or `all`) picks
/// the matrices that run; by default only `ci`. Other matrices' cases are explicit: `dotnet test --filter TestCategory=mnist` runs them.
/// </summary>
public static class MatrixCells
{
    public static string ConfigPath => Environment.GetEnvironmentVariable("HARNESS_CONFIG") ?? Path.Combine(Paths.RepoRoot, "experiments.yaml");

    static readonly Lazy<ExperimentsFile> File = new(() => ExperimentsFile.Load(ConfigPath));
    public static ExperimentsFile Experiments => File.Value;

    static bool Selected(string matrix)
    {
        var sel = Environment.GetEnvironmentVariable("HARNESS_MATRIX");
        if (string.IsNullOrWhiteSpace(sel)) return matrix == "ci";
        var names = sel.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return names.Contains("all") || names.Contains(matrix);
    }

    static TestCaseData Mark(TestCaseData data, string matrix)
    {
        data.SetCategory(matrix);
        return Selected(matrix) ? data : data.Explicit($"matrix '{matrix}' runs with HARNESS_MATRIX={matrix} or --filter TestCategory={matrix}");
    }

    public static IEnumerable<TestCaseData> Cells() =>
        Experiments.Matrices.Values.SelectMany(m => Matrices.Cells(m).Select(c =>
            Mark(new TestCaseData(m.Name, c.Id).SetName($"{m.Name}:{c.Id}"), m.Name)));

    public static IEnumerable<TestCaseData> MatrixNames() =>
        Experiments.Matrices.Keys.Select(n => Mark(new TestCaseData(n).SetName($"{n}:verified"), n));

    static readonly Dictionary<string, MatrixRunner> Runners = new();

    /// <summary>
    /// A results folder of this test run alone (under .test-results/, which `make test` empties first), so every cell is
    /// computed from scratch on every run and a change that moves any metric fails the verification everywhere; only the
    /// fingerprinted checkpoint cache is shared with earlier runs. The verified baselines stay in results/.
    /// </summary>
    public static string ResultsRoot { get; } = Path.Combine(Paths.RepoRoot, ".test-results",
        $"matrices-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");

    /// <summary>One runner per matrix for the whole test run, so training and scoring happen once per matrix.</summary>
    public static MatrixRunner Runner(string matrix)
    {
        lock (Runners)
        {
            if (!Runners.TryGetValue(matrix, out var r))
                Runners[matrix] = r = new MatrixRunner(Experiments, Experiments.Matrix(matrix), ResultsRoot, log: TestContext.Progress.WriteLine);
            return r;
        }
    }

    public static Cell Find(string matrix, string id) => Matrices.Cells(Experiments.Matrix(matrix)).Single(c => c.Id == id);
}
