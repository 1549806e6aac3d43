using Harness.Jobs;

namespace Harness.Cli;

static class TrainCommand
{
    public static Command Build()
    {
        var train = new TrainOptionSet("train on the first N training points only");
        var outDir = Opt.Text("--out", "where train.json goes", "dir", "results/train/<dataset>-<model>");
        var c = new Command("train", "train a model (or load it from the checkpoint cache) and write train.json").With(train.All).With(outDir);
        c.SetAction(r => Run(train.Read(r), r.GetValue(outDir)));
        return c;
    }

    static int Run(TrainOptions options, string? outDir)
    {
        outDir ??= Runs.ResultsLayout.Repository.OneOff("train", options.Dataset, options.ResolvedModel);
        var (_, _, report) = TrainJob.Run(options, new ConsoleProgress());
        var path = Runs.ResultsLayout.TrainReportIn(outDir);
        AtomicFile.WriteAllText(path, Json.Serialize(report));
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"train {report.TrainAccuracy:P2}  validation {report.ValidationAccuracy:P2}  test {report.TestAccuracy:P2}  ({report.TrainSeconds:F1} s training{(report.CacheHit ? ", cached" : "")})"));
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
