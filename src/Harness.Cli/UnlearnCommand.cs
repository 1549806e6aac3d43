using Harness.Jobs;
using Harness.Util;

namespace Harness.Cli;

static class UnlearnCommand
{
    public static int Run(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var train = TrainCommand.ReadOptions(a);
        string algorithm = a.String("algorithm") ?? throw new HarnessException("--algorithm is required (gradascent, finetune, fisher, retrain).");
        int target = a.Int("target") ?? throw new HarnessException("--target is required: the index of the training point to forget.");
        int expansion = a.Int("expansion") ?? 0;
        double? lr = a.Double("unlearn-lr"), threshold = a.Double("threshold"), alpha = a.Double("alpha"), momentum = a.Double("momentum");
        int? epochs = a.Int("unlearn-epochs"), batch = a.Int("unlearn-batch"), fisherSamples = a.Int("fisher-samples"), seed = a.Int("unlearn-seed");
        string? optimizer = a.String("unlearn-optimizer");
        var scoring = ScoreCommand.ReadScoring(a);
        string? scoresDir = a.String("scores");
        string outDir = a.String("out") ?? Path.Combine(Paths.RepoRoot, "results", "unlearn", $"{train.Dataset}-{train.ResolvedModel}");
        a.RejectUnused("unlearn");
        scoresDir ??= Path.Combine(Paths.RepoRoot, "results", "score", $"{train.Dataset}-{train.ResolvedModel}");
        var options = new UnlearnOptions
        {
            Train = train, Algorithm = algorithm, Target = target, Expansion = expansion, ScoresDir = scoresDir, Scoring = scoring,
            Override = s => s with
            {
                LearningRate = lr ?? s.LearningRate, OverfitThreshold = threshold ?? s.OverfitThreshold, Alpha = alpha ?? s.Alpha,
                Momentum = momentum ?? s.Momentum, Epochs = epochs ?? s.Epochs, BatchSize = batch ?? s.BatchSize,
                FisherSamples = fisherSamples ?? s.FisherSamples, Seed = seed ?? s.Seed, Optimizer = optimizer ?? s.Optimizer,
            },
        };
        var report = UnlearnJob.Run(options, new ConsoleProgress());
        var path = Path.Combine(outDir, $"{algorithm}-t{target}-k{expansion}.json");
        AtomicFile.WriteAllText(path, Json.Serialize(report));
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{algorithm} on {report.ForgetSet.Length} point(s): forget acc {report.Forget.Accuracy:F3} loss {report.Forget.Loss:F3}, remain acc {report.Remain.Accuracy:F4}, " +
            $"test acc {report.Test.Accuracy:F4}, MIA-efficacy {report.Mia.Efficacy:F3}, distance {report.Distance:G4}, {report.Seconds:F2} s"));
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
