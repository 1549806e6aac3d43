using Harness.Jobs;

namespace Harness.Cli;

static class ScoreCommand
{
    public static Command Build()
    {
        var model = new ModelOptionSet("score only the first N training points");
        var dump = Opt.Int("--dump-kernel", "also write X.npy, S.npy and K.npy of the first M points", "0", 0);
        var candidates = Opt.Enum<Harness.Scoring.Candidates>("--candidates", "which points the ranks in scores.csv and the extremes cover: all, or those the model classifies correctly", "all");
        var outDir = Opt.Text("--out", "output directory", "dir", "results/score/<dataset>-<model>");
        var c = new Command("score", "the difficulty scores of every training point and its top-K Stein neighbours")
            .With(model.All).With(dump, candidates, outDir);
        c.SetAction(r =>
        {
            var t = model.Train.Read(r, trainLimit: false);
            return Run(new ScoreOptions
            {
                Train = t, Scoring = model.Scoring.Read(r), Limit = (int?)r.GetValue(model.Train.TrainLimit), DumpKernel = r.GetValue(dump) ?? 0, Candidates = r.GetValue(candidates) ?? Harness.Scoring.Candidates.All,
                OutDir = r.GetValue(outDir) ?? Runs.ResultsLayout.Repository.OneOff("score", t.Dataset, t.ResolvedModel),
            });
        });
        return c;
    }

    static int Run(ScoreOptions options)
    {
        var (_, _, meta) = ScoreJob.Run(options, new ConsoleProgress());
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"scored {meta.N} points ({meta.Space} space, d = {meta.D}, {meta.Kernel}{(meta.H2 is double h2 ? $", h² = {h2:G6}" : "")}; {meta.CandidateCount} candidates, {meta.Misclassified} misclassified): Stein scores {meta.Seconds["stein_scores"]:F1} s, kernel pass {meta.Seconds["kernel_pass"]:F1} s"));
        Console.WriteLine($"wrote {options.OutDir}/scores.csv, neighbors/, meta.json{(options.DumpKernel > 0 ? ", X.npy, S.npy, K.npy" : "")}");
        return 0;
    }
}
