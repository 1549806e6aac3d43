using Harness.Jobs;
using Harness.Scoring;
using Harness.Util;

namespace Harness.Cli;

static class ScoreCommand
{
    public static ScoringOptions ReadScoring(CliArgs a)
    {
        var d = new ScoringOptions();
        return d with
        {
            Score = a.String("score") ?? d.Score,
            Kernel = a.String("kernel") ?? d.Kernel,
            Bandwidth = a.Double("bandwidth"),
            Diagonal = a.String("diagonal") ?? d.Diagonal,
            Standardize = a.String("standardize") ?? d.Standardize,
            Ssn = a.String("ssn") ?? d.Ssn,
            TopK = a.Int("top-k") ?? d.TopK,
            BlockSize = a.Int("block-size") ?? d.BlockSize,
            Precision = a.String("precision") ?? d.Precision,
            Spill = a.String("spill") ?? d.Spill,
            Scratch = a.String("scratch"),
        };
    }

    public static int Run(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var train = TrainCommand.ReadOptions(a, trainLimit: false);
        var options = new ScoreOptions
        {
            Train = train,
            Scoring = ReadScoring(a),
            Limit = a.Int("train-limit"),
            DumpKernel = a.Int("dump-kernel") ?? 0,
            OutDir = a.String("out") ?? Path.Combine(Paths.RepoRoot, "results", "score", $"{train.Dataset}-{train.ResolvedModel}"),
        };
        a.RejectUnused("score");
        var (scores, _, meta) = ScoreJob.Run(options, new ConsoleProgress());
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"scored {meta.N} points (d = {meta.D}, {meta.Kernel}{(meta.H is double h ? $", h = {h:G6}" : "")}): Stein scores {meta.Seconds["stein_scores"]:F1} s, kernel pass {meta.Seconds["kernel_pass"]:F1} s"));
        Console.WriteLine($"wrote {options.OutDir}/scores.csv, neighbors/, meta.json{(options.DumpKernel > 0 ? ", X.npy, S.npy, K.npy" : "")}");
        return 0;
    }
}
