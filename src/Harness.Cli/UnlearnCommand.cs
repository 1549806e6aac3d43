using Harness.Jobs;
using Harness.Unlearning;

namespace Harness.Cli;

static class UnlearnCommand
{
    /// <summary>
    /// One `--unlearn-KEY` option per setting any registered unlearner declares (a setting several share, such as lr,
    /// is one option); giving one that the chosen algorithm does not have is an error.
    /// </summary>
    internal static List<(string Key, Option<object?> Option, string[] Algorithms)> SettingOptions()
    {
        var list = new List<(string, Option<object?>, string[])>();
        foreach (var g in UnlearnerRegistry.Unlearners.SelectMany(u => SettingsSchema.Fields(u.SettingsType).Select(f => (u, f))).GroupBy(x => x.f.Key))
        {
            var first = g.First().f;
            if (g.Any(x => x.f.Type != first.Type)) throw new InvalidOperationException($"unlearning setting '{g.Key}' has different types in different algorithms");
            var algorithms = g.Select(x => x.u.Name).ToArray();
            var defaults = string.Join(", ", g.Select(x => $"{x.u.Name} {SettingField.Format(x.f.Property.GetValue(x.u.Defaults("mnist")))}"));
            var option = Opt.Setting(first, "--unlearn-" + g.Key.Replace('_', '-'), $"{first.Help} ({string.Join(", ", algorithms)})", $"Table 5; on mnist: {defaults}");
            list.Add((g.Key, option, algorithms));
        }
        return list;
    }

    /// <summary>The `--unlearn-KEY` values given, checked against the algorithm's own settings.</summary>
    internal static Dictionary<string, object> ReadSettings(ParseResult r, List<(string Key, Option<object?> Option, string[] Algorithms)> settings, string alg)
    {
        var given = new Dictionary<string, object>();
        foreach (var (key, option, algorithms) in settings)
        {
            if (r.GetValue(option) is not { } v) continue;
            if (!algorithms.Contains(alg))
                throw new HarnessException($"{option.Name} does not apply to {alg}; its settings: {string.Join(", ", SettingsSchema.Fields(UnlearnerRegistry.Get(alg).SettingsType).Select(f => "--unlearn-" + f.Key.Replace('_', '-')))}.");
            given[key] = v;
        }
        return given;
    }

    public static Command Build()
    {
        var model = new ModelOptionSet("train on the first N training points only");
        var algorithm = Opt.Name("--algorithm", "unlearning algorithm", UnlearnerRegistry.Names, null, UnlearnerRegistry.Parse, required: true);
        var target = Opt.Int("--target", "index of the training point to forget", null, 0, required: true);
        var expansion = Opt.Int("--expansion", "also forget the target's top-k Stein neighbours", "0", 0);
        var scores = Opt.Text("--scores", "a `harness score` folder whose neighbors/indices.npy gives the neighbours", "dir", "results/score/<dataset>-<model>");
        var seed = Opt.Int("--unlearn-seed", "seed of the algorithm's randomness and of the MIA shadow sample", "0", 0);
        var remainSample = Opt.Int("--remain-sample", "measure remaining-set accuracy and loss on this many points of D_r (seeded, the MIA's shadow members first); 0 = all", "0", 0);
        var outDir = Opt.Text("--out", "output directory", "dir", "results/unlearn/<dataset>-<model>");
        var settings = SettingOptions();
        var c = new Command("unlearn", "unlearn one training point (and its neighbours) and measure the result")
            .With(algorithm, target, expansion).With(settings.Select(s => (Option)s.Option).ToArray()).With(seed, remainSample, scores, outDir)
            .With(model.All);
        c.SetAction(r =>
        {
            var t = model.Train.Read(r);
            string alg = r.GetValue(algorithm)!;
            var given = ReadSettings(r, settings, alg);
            return Run(new UnlearnOptions
            {
                Train = t, Algorithm = alg, Target = r.GetValue(target)!.Value, Expansion = r.GetValue(expansion) ?? 0,
                ScoresDir = r.GetValue(scores) ?? Runs.ResultsLayout.Repository.OneOff("score", t.Dataset, t.ResolvedModel),
                Scoring = model.Scoring.Read(r), Settings = given, Seed = r.GetValue(seed), RemainSample = r.GetValue(remainSample) ?? 0,
            }, r.GetValue(outDir) ?? Runs.ResultsLayout.Repository.OneOff("unlearn", t.Dataset, t.ResolvedModel));
        });
        return c;
    }

    static int Run(UnlearnOptions options, string outDir)
    {
        var report = UnlearnJob.Run(options, new ConsoleProgress());
        var path = Runs.ResultsLayout.UnlearnReportIn(outDir, options.Algorithm, options.Target, options.Expansion);
        AtomicFile.WriteAllText(path, Json.Serialize(report));
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{options.Algorithm} on {report.ForgetSet.Length} point(s): forget acc {report.Forget.Accuracy:F3} loss {report.Forget.Loss:F3}, remain acc {report.Remain.Accuracy:F4} ({report.RemainEvaluation}), " +
            $"test acc {report.Test.Accuracy:F4}, MIA-efficacy {report.Mia.Efficacy:F3}, distance {report.Distance:G4}, {report.Seconds:F2} s"));
        Console.WriteLine($"wrote {path}");
        return 0;
    }
}
