using Harness.Runs;
using System.Diagnostics;
using System.Globalization;
using Harness.Experiments;
using Harness.Study;

namespace Harness.Cli;

/// <summary>`harness study --study NAME` (run, resume, shard a validation study; write its tables and figures; verify) and `harness accept-study`.</summary>
static class StudyCommand
{
    sealed class StudyOptionSet(string? defaultStudy = null)
    {
        public readonly Option<string?> Study = Opt.Text("--study", "study name in the experiments file", "name", defaultStudy, required: defaultStudy == null);
        public readonly Option<string?> Config = Opt.Text("--config", "experiments file", "file", "experiments.yaml");
        public readonly Option<string?> Results = Opt.Text("--results", "results root", "dir", "$HARNESS_RESULTS, else results/");
        public Option[] All => new Option[] { Study, Config, Results };

        public (ExperimentsFile File, StudySpec Study, string ResultsRoot) Read(ParseResult r)
        {
            var file = ExperimentsFile.Load(r.GetValue(Config) ?? Path.Combine(Paths.RepoRoot, "experiments.yaml"));
            return (file, file.Study(r.GetValue(Study)!), Path.GetFullPath(r.GetValue(Results) ?? Paths.ResultsRoot));
        }
    }

    public static IEnumerable<Command> Build()
    {
        var o = new StudyOptionSet();
        var shard = Opt.Text("--shard", "compute only the points of shard i of n (points hashed by index); the last shard to finish writes the tables", "i/n", "SLURM_ARRAY_TASK_ID/COUNT, JOB_COMPLETION_INDEX, else 0/1");
        var dataRoot = Opt.Text("--data-root", "data root", "dir", "$HARNESS_DATA, else data/");
        var worker = Opt.Text("--worker", "internal: be worker i of n started by a study with `workers: n`", "i/n", null);
        worker.Hidden = true;
        var study = new Command("study", "run a validation study (docs/method.md): ground truths per point (resumable, shardable), scorers, statistics, tables, figures, verification")
            .With(o.All).With(shard, dataRoot, worker);
        study.SetAction(r => Run(o.Read(r), r.GetValue(shard), r.GetValue(dataRoot), r.GetValue(worker)));
        yield return study;

        var a = new StudyOptionSet();
        var why = Opt.Text("--why", "why the baseline changes, recorded in NAME-summary.CLASS.verified.md", "text", null);
        var accept = new Command("accept-study", "promote a study's summary.csv to its verified baseline").With(a.All).With(why);
        accept.SetAction(r =>
        {
            var (_, s, results) = a.Read(r);
            Console.WriteLine($"accepted {StudyTables.Accept(s, new ResultsLayout(results).Study(s.Name), r.GetValue(why))}");
            return 0;
        });
        yield return accept;
    }

    static int Run((ExperimentsFile File, StudySpec Study, string ResultsRoot) c, string? shardArg, string? dataRoot, string? worker)
    {
        var shard = Sharding.Resolve(shardArg);
        if (worker != null)
        {
            var (wi, wn) = Sharding.Resolve(worker);
            int n = new StudyRunner(c.File, c.Study, c.ResultsRoot, dataRoot).RunWorker(wi, wn, shard);
            Console.WriteLine($"{n} points computed");
            return 0;
        }
        var (outcome, matched, verification) = Pipelines.StudyPipeline.RunAndVerify(c.File, c.Study, c.ResultsRoot, dataRoot, shardArg);
        if (outcome.Summary == null) return 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"study {c.Study.Name}: {outcome.Points} points, {outcome.Computed} computed, {outcome.Reused} reused"));
        foreach (var p in outcome.Written) Console.WriteLine($"  {Path.GetRelativePath(c.ResultsRoot, p)}");
        if (verification != null) return Cli.Report(verification);
        Console.WriteLine($"Verified: {c.Study.Name} summary matches {Path.GetFileName(matched)}.");
        return 0;
    }
}
