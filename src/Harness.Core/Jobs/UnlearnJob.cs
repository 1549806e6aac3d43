using System.Diagnostics;
using Harness.Data;
using Harness.Evaluation;
using Harness.Runs;
using Harness.Scoring;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Jobs;

/// <summary>Options of `harness unlearn`.</summary>
public sealed record UnlearnOptions
{
    public TrainOptions Train { get; init; } = new();
    public string Algorithm { get; init; } = "gradascent";
    public int Target { get; init; }
    public int Expansion { get; init; }
    /// <summary>Settings of the algorithm that replace its Table 5 defaults (key → typed value, as its settings record declares them).</summary>
    public IReadOnlyDictionary<string, object> Settings { get; init; } = new Dictionary<string, object>();
    /// <summary>The unlearning seed (noise, shuffling, MIA shadow sample); null keeps 0.</summary>
    public int? Seed { get; init; }
    /// <summary>A scoring run's folder whose neighbors/indices.npy supplies the expansion; without one the target's κ row is computed.</summary>
    public string? ScoresDir { get; init; }
    public ScoringOptions Scoring { get; init; } = new();
    /// <summary>Points of D_r the remaining-set accuracy and loss are measured on: 0 = all of D_r; N = the first N of the seeded shadow permutation.</summary>
    public int RemainSample { get; init; }

    public UnlearnSettings ResolveSettings()
    {
        Train.Registry(); // the experiments file's data-set declarations (a declared data set's profile) are read before its defaults are
        var s = UnlearnerRegistry.Resolve(Algorithm, Train.Dataset, Settings);
        return Seed is int seed ? s with { Seed = seed } : s;
    }
}

public static class UnlearnJob
{
    public static UnlearnReport Run(UnlearnOptions options, IProgress? progress = null, Action<string>? log = null)
    {
        log ??= Console.Error.WriteLine;
        var unlearner = UnlearnerRegistry.Get(options.Algorithm);
        var settings = options.ResolveSettings();
        settings.Validate(options.Algorithm);
        var (trained, data, _) = TrainJob.Run(options.Train, progress, log);
        var (forget, source) = ForgetSet(options, trained, data, log);
        return UnlearnMeasurement.Measure(unlearner, settings, trained, data, forget, source, options.Target, options.Expansion, options.RemainSample, progress);
    }

    /// <summary>{target} ∪ its top-k neighbours: from the scoring run when they belong to this model and options, else from the target's own κ row.</summary>
    public static (int[] Forget, string Source) ForgetSet(UnlearnOptions options, TrainedModel trained, DataSplits data, Action<string> log)
    {
        int n = data.Train.Count;
        RemovalExpansion.Check(options.Target, options.Expansion, n);
        if (options.Expansion == 0) return (new[] { options.Target }, "target only (k = 0)");
        if (options.ScoresDir != null && new ScoringRunFiles(options.ScoresDir) is var files && File.Exists(files.NeighborIndices))
        {
            var path = files.NeighborIndices;
            if (ScoringRunCheck.Mismatch(files, trained.Checkpoint.Sha256, options.Scoring, n, ScoringRunUse.Neighbors) is { } why)
                log($"{path} is not used: {why}; computing the target's κ row instead.");
            else if (RemovalExpansion.FromNeighborsFile(path, options.Target, options.Expansion, n) is { } fromFile)
                return (fromFile, path);
            else
                log($"{path} has fewer than {options.Expansion} neighbours per point; computing the target's κ row instead.");
        }
        using var images = data.Train.ImagesTensor(trained.Device);
        using var labels = data.Train.LabelsTensor(trained.Device);
        var scoring = options.Scoring with { Ssn = SsnMode.Input }; // the expansion needs κ only
        var (stein, inputs) = KernelInputs.Compute(trained.Model, images, labels, scoring);
        using var steinScope = stein;
        using var inputsScope = inputs;
        var (kernel, _) = KernelFactory.Create(scoring, inputs.X);
        return (RemovalExpansion.Compute(kernel, inputs.X, inputs.S, options.Target, options.Expansion),
            $"κ row of the target ({kernel.Name}, {Config.SettingField.Format(scoring.Space)} space)");
    }
}
