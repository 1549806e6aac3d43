using Harness.Jobs;
using Harness.Util;

namespace Harness.Cli;

static class TrainCommand
{
    /// <summary>Reads the training options shared by every command that needs a trained model.</summary>
    public static TrainOptions ReadOptions(CliArgs a, bool trainLimit = true) => new()
    {
        Dataset = a.String("dataset") ?? "mnist",
        Model = a.String("model"),
        Epochs = a.Int("epochs"),
        Seed = a.Int("seed"),
        Threads = a.Int("threads"),
        Device = a.String("device"),
        LearningRate = a.Double("lr"),
        BatchSize = a.Int("batch"),
        Optimizer = a.String("optimizer"),
        TrainLimit = trainLimit ? a.Int("train-limit") : null,
        DataRoot = a.String("data-root"),
        ConfigPath = a.String("config"),
    };

    public static int Run(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var options = ReadOptions(a);
        string outDir = a.String("out") ?? Path.Combine(Paths.RepoRoot, "results", "train", $"{options.Dataset}-{options.ResolvedModel}");
        a.RejectUnused("train");
        var (_, _, report) = TrainJob.Run(options, new ConsoleProgress());
        var path = Path.Combine(outDir, "train.json");
        AtomicFile.WriteAllText(path, Json.Serialize(report));
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"train {report.TrainAccuracy:P2}  validation {report.ValidationAccuracy:P2}  test {report.TestAccuracy:P2}  ({report.TrainSeconds:F1} s training{(report.CacheHit ? ", cached" : "")})"));
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
