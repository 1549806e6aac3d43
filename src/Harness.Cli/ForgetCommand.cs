using Harness.Experiments;
using System.Globalization;
using Harness.Forget;
using Harness.Reporting;
using Harness.Unlearning;

namespace Harness.Cli;

/// <summary>`harness forget`: honour a deletion request — plan it, unlearn it, and show whether the result matches retraining.</summary>
static class ForgetCommand
{
    public static Command Build()
    {
        var model = new ModelOptionSet("train on the first N training points only");
        var indices = Opt.Text("--indices", "the training records to forget: comma-separated training-set indices", "i,j,...", null);
        var indicesFile = Opt.Text("--indices-file", "the training records to forget: a file with one index per line (# comments allowed)", "file", null);
        var algorithm = Opt.Name("--algorithm", "unlearning algorithm", UnlearnerRegistry.Names, "gradascent", UnlearnerRegistry.Parse);
        var expansion = Opt.Text("--expansion", "also forget each record's top-k Stein neighbours: auto grows k along 0, 10, 30, 100, 300, 700 until every record reaches its target", "auto|k", "auto");
        var population = Opt.Int("--population", "M, the reference models giving the never-saw-it target: the original's recipe on complementary halves (even; a matrix's population of the same model is reused from the cache)", $"{ForgetOptions.DefaultPopulationModels}", 4, 10_000);
        var alpha = Opt.Double("--alpha", "a record is unlike a never-saw-it model when a one-sided p-value of its φ under their Gaussian is below this", "0.01", 0, exclusiveMin: true);
        var reference = Opt.Int("--reference-sample", "seeded training points the percentiles of grad_norm and heldout_kl are taken among; 0 = all", "2000", 0);
        var remainSample = Opt.Int("--remain-sample", "measure remaining-set accuracy on this many points of D_r (seeded); 0 = all", "0", 0);
        var seed = Opt.Int("--unlearn-seed", "seed of the algorithm's randomness and of the MIA shadow sample", "0", 0);
        var scores = Opt.Text("--scores", "a `harness score` folder to reuse (scored into when it belongs to another model or kernel)", "dir", "results/score/<dataset>-<model>");
        var outDir = Opt.Text("--out", "output directory: request.json, REQUEST.md, request.png, unlearned.pt", "dir", null, required: true);
        var results = Opt.Text("--results", "results root, where validation studies are looked up", "dir", "$HARNESS_RESULTS, else results/");
        var settings = UnlearnCommand.SettingOptions();
        var c = new Command("forget", "honour a deletion request: how hard each record is, unlearn it (expanding by Stein neighbours), and whether the result matches retraining")
            .With(indices, indicesFile, algorithm, expansion).With(settings.Select(s => (Option)s.Option).ToArray())
            .With(seed, population, alpha, reference, remainSample, scores, results, outDir).With(model.All);
        c.SetAction(r =>
        {
            var t = model.Train.Read(r);
            string? list = r.GetValue(indices), file = r.GetValue(indicesFile);
            if ((list == null) == (file == null)) throw new HarnessException("give the records to forget with exactly one of --indices i,j,... and --indices-file FILE.");
            var request = list != null ? DeletionRequest.Parse(list) : DeletionRequest.ReadFile(file!);
            string alg = r.GetValue(algorithm) ?? "gradascent";
            int? k = null;
            var e = r.GetValue(expansion) ?? "auto";
            if (e != "auto")
            {
                if (!int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out int fixedK))
                    throw new HarnessException($"--expansion: '{e}' is neither auto nor a whole number ≥ 0.");
                k = fixedK;
            }
            var experiments = ExperimentsFileOrNull(t.ConfigPath);
            var options = new ForgetOptions
            {
                Train = t, Scoring = model.Scoring.Read(r), Request = request, RequestSource = list != null ? "--indices" : file!, Algorithm = alg,
                Settings = UnlearnCommand.ReadSettings(r, settings, alg), Seed = r.GetValue(seed), Expansion = k,
                ScoresDir = r.GetValue(scores) ?? Runs.ResultsLayout.Repository.OneOff("score", t.Dataset, t.ResolvedModel),
                PopulationModels = r.GetValue(population) ?? ForgetOptions.DefaultPopulationModels, Alpha = r.GetValue(alpha) ?? 0.01,
                ReferenceSample = r.GetValue(reference) ?? 2000, RemainSample = r.GetValue(remainSample) ?? 0,
                ResultsRoot = Path.GetFullPath(r.GetValue(results) ?? Paths.ResultsRoot), OutDir = Path.GetFullPath(r.GetValue(outDir)!), Experiments = experiments,
            };
            var report = ForgetJob.Run(options, r.Tokens.Select(x => x.Value), new ConsoleProgress(), draw: RequestReport.Save);
            Console.WriteLine(report.Outcome.Line);
            foreach (var p in report.Points)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  #{p.Index} (label {p.Label}): φ {p.PhiBefore:F2} → {p.PhiAfter:F2}, never saw it {report.Plan.First(x => x.Index == p.Index).Target.OutMean:F2} ± {report.Plan.First(x => x.Index == p.Index).Target.OutSd:F2}; upper p {p.UpperPAfter:G3}, LiRA {(p.MemberAfter ? "member" : "non-member")}: {p.Verdict}"));
            var files = new Runs.ForgetFiles(options.OutDir);
            Console.WriteLine($"wrote {files.RequestMd}, {ForgetJob.RequestJson}, {ForgetJob.RequestPng}, {ForgetJob.UnlearnedPt}");
            return 0;
        });
        return c;
    }

    static ExperimentsFile? ExperimentsFileOrNull(string? path)
    {
        var p = path ?? Path.Combine(Paths.RepoRoot, "experiments.yaml");
        return path == null && !File.Exists(p) ? null : ExperimentsFile.Load(p);
    }
}
