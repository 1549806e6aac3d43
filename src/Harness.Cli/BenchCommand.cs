using Harness.Scoring;

namespace Harness.Cli;

/// <summary>`harness bench` (make bench): parses the options and runs <see cref="Pipelines.ScoringBench"/>.</summary>
static class BenchCommand
{
    public static Command Build()
    {
        var outPath = Opt.Text("--out", "where the report goes", "file", "results/bench/score-<dataset>.json");
        var repeat = Opt.Int("--repeat", "measure the LibTorch floor, the products alone and the pass this many times each, alternating; the fastest of each counts", "2", 1);
        var population = Opt.Flag("--population", "benchmark a population instead: models per hour and FLOP rate against the measured FMA peak, and U-LiRA's cost (results/bench/population-<dataset>.json)");
        var steps = Opt.Int("--steps", "with --population: training steps measured per model", "180 (one epoch of a half)", 1);
        var model = new ModelOptionSet("benchmark only the first N training points");
        var c = new Command("bench", "the scoring benchmark: the kernel pass of the input and the joint space against the machine's FP32 FMA peak, measured in the same run, and the old LibTorch floor (make bench)")
            .With(model.All).With(outPath, repeat, population, steps);
        c.SetAction(r =>
        {
            var train = model.Train.Read(r, trainLimit: false);
            if (r.GetValue(population))
            {
                var outPop = r.GetValue(outPath) ?? Runs.ResultsLayout.Repository.PopulationBench(train.Dataset);
                Pipelines.PopulationBench.Run(train, workers: 2, steps: r.GetValue(steps) ?? 180, models: 16, uliraK: 8, uliraPoints: 10, outPop,
                    "harness " + string.Join(" ", r.Tokens.Select(t => t.Value)), Console.WriteLine, Console.Error.WriteLine);
                Console.WriteLine($"wrote {outPop}");
                return 0;
            }
            var scoring = model.Scoring.Read(r);
            // Without --space, both: the input space as given, and the authors' joint space (h² = d + C unless --bandwidth says otherwise).
            bool spaceGiven = r.Tokens.Any(t => t.Value == "--space"), bandwidthGiven = r.Tokens.Any(t => t.Value == "--bandwidth");
            var profiles = spaceGiven ? new[] { scoring } : new[]
            {
                scoring with { Space = KernelSpace.Input },
                scoring with { Space = KernelSpace.Joint, Bandwidth = bandwidthGiven ? scoring.Bandwidth : Bandwidth.Dimension },
            };
            var outFile = r.GetValue(outPath) ?? Runs.ResultsLayout.Repository.Bench(train.Dataset);
            Pipelines.ScoringBench.Run(train, profiles, (int?)r.GetValue(model.Train.TrainLimit), r.GetValue(repeat) ?? 2, outFile,
                "harness " + string.Join(" ", r.Tokens.Select(t => t.Value)), Console.WriteLine, Console.Error.WriteLine);
            Console.WriteLine($"wrote {outFile}");
            return 0;
        });
        return c;
    }
}
