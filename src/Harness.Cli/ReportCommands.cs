using System.CommandLine;
using System.Globalization;
using Harness.Config;
using Harness.Experiments;
using Harness.Jobs;
using Harness.Reporting;
using Harness.Scoring;
using Harness.Util;

namespace Harness.Cli;

/// <summary>`harness figures|report|reproduce --matrix NAME`: the paper's tables, figures and the reproduction report.</summary>
static class ReportCommands
{
    sealed record Ctx(ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot, string? DataRoot);

    public static IEnumerable<Command> Build()
    {
        yield return Make("figures", "Figures 1-5 of a matrix as PNG under results/NAME/", Figures);
        yield return Make("report", "Tables 1-3 (CSV, GitHub Markdown) and REPORT.md of a matrix", Report);
        yield return Make("reproduce", "the main job: run the matrix (resuming), merge, figures, tables, REPORT.md, summary, verify", Reproduce);
    }

    static Command Make(string name, string description, Func<Ctx, int> action)
    {
        var matrix = new MatrixOptionSet(required: false, defaultMatrix: "mnist");
        var dataRoot = Opt.Text("--data-root", "data root", "dir", "$HARNESS_DATA, else data/");
        var c = new Command(name, description).With(matrix.All).With(dataRoot);
        c.SetAction(r =>
        {
            var (file, spec, results) = matrix.Read(r);
            return action(new Ctx(file, spec, results, r.GetValue(dataRoot)));
        });
        return c;
    }

    static List<CellResult> Cells(Ctx c)
    {
        var (rows, missing) = MatrixTable.Collect(c.Matrix, c.ResultsRoot);
        if (rows.Count == 0) throw new HarnessException($"matrix '{c.Matrix.Name}' has no results in {c.ResultsRoot}; run `harness run --matrix {c.Matrix.Name}` first.");
        if (missing.Count > 0) Console.Error.WriteLine($"note: {missing.Count} cells of '{c.Matrix.Name}' have no result yet (e.g. {missing[0]}); tables and figures use the {rows.Count} that do.");
        return rows;
    }

    static string Out(Ctx c, string name) => Path.Combine(c.ResultsRoot, c.Matrix.Name, $"{c.Matrix.Name}-{name}");

    static int Figures(Ctx c)
    {
        foreach (var p in DrawFigures(c, Cells(c))) Console.WriteLine($"wrote {p}");
        return 0;
    }

    static int Report(Ctx c)
    {
        foreach (var p in WriteTablesAndReport(c, Cells(c), "not run by `harness report` (see `harness verify`)")) Console.WriteLine($"wrote {p}");
        return 0;
    }

    /// <summary>The main job: run the matrix (resuming), merge, draw, report, summarise, then verify against the committed baseline.</summary>
    static int Reproduce(Ctx c)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var runner = new MatrixRunner(c.File, c.Matrix, c.ResultsRoot, c.DataRoot) { StartWorker = Workers.Starter(c.File.Path, c.Matrix.Name, c.ResultsRoot, c.DataRoot, null) };
        var outcomes = runner.Run(Matrices.Cells(c.Matrix), new ConsoleProgress());
        var ignored = outcomes.Where(o => o.Status == CellStatus.Ignored).ToList();
        if (ignored.Count > 0) Console.Error.WriteLine($"{ignored.Count} cells ignored: {ignored[0].Reason!.Split('\n')[0]}");
        var cells = Cells(c);
        var csv = MatrixCommands.MergeInto(c.Matrix, c.ResultsRoot, out var missing);
        string verification;
        var failures = new List<HarnessException>();
        static string Failed(HarnessException e) => e is NoBaselineForClassException
            ? $"**not verified**: no baseline for this CPU class ({Util.NumericsClass.Current})" : $"**failed**: {e.Message.Split('\n')[0]}";
        try
        {
            if (missing.Count > 0) throw new VerificationFailedException($"{missing.Count} cells have no result");
            var matched = Verification.Verify(c.Matrix, c.ResultsRoot);
            verification = $"all {cells.Count} cells match `{Path.GetFileName(matched)}`";
        }
        catch (HarnessException e)
        {
            failures.Add(e);
            verification = Failed(e);
        }
        // The matrix's studies (METHOD.md §6) on the same model and scores.
        var studyVerification = new Dictionary<string, string>();
        var studyOutcomes = new List<(Config.StudySpec Study, Study.StudyOutcome Outcome)>();
        foreach (var study in c.File.StudiesOf(c.Matrix.Name))
        {
            var (outcome, matched, studyFailure) = StudyCommand.RunAndVerify(c.File, study, c.ResultsRoot, c.DataRoot, null);
            studyOutcomes.Add((study, outcome));
            studyVerification[study.Name] = studyFailure == null ? $"summary matches `{Path.GetFileName(matched)}`" : Failed(studyFailure);
            if (studyFailure != null) failures.Add(studyFailure);
        }
        var written = new List<string> { csv };
        written.AddRange(DrawFigures(c, cells));
        written.AddRange(WriteTablesAndReport(c, cells, verification, studyVerification));
        foreach (var (_, o) in studyOutcomes) written.AddRange(o.Written);
        Console.WriteLine();
        Console.WriteLine(Summary(c, cells));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outcomes.Count(o => o.Status == CellStatus.Computed)} cells computed, {outcomes.Count(o => o.Status == CellStatus.Reused)} written from an identical computation, {outcomes.Count(o => o.Status == CellStatus.AlreadyDone)} already done, in {watch.Elapsed.TotalMinutes:F1} min."));
        Console.WriteLine($"Results in {Path.Combine(c.ResultsRoot, c.Matrix.Name)}:");
        foreach (var p in written) Console.WriteLine($"  {Path.GetRelativePath(c.ResultsRoot, p)}");
        // A mismatch fails the job; where only another CPU class has a baseline, the job is complete but unverified (exit 3).
        var codes = failures.Select(f => Cli.Report(f)).ToList();
        if (codes.Contains(Cli.Mismatch)) return Cli.Mismatch;
        if (codes.Count > 0)
        {
            static string Plain(string v) => v.Replace("**not verified**: ", "");
            Console.WriteLine($"Not verified: {Plain(verification)}{string.Concat(studyVerification.Select(kv => $"; study {kv.Key}: {Plain(kv.Value)}"))}.");
            return Cli.NotVerified;
        }
        Console.WriteLine($"Verified: {verification}{string.Concat(studyVerification.Select(kv => $"; study {kv.Key}: {kv.Value}"))}.");
        return 0;
    }

    static string Summary(Ctx c, List<CellResult> cells)
    {
        int k = PaperTables.Expansion(c.Matrix);
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string> { $"GradAscent, k = {k}: forget accuracy (test accuracy) of the easy and hard points per scorer and kernel" };
        foreach (var d in c.Matrix.Datasets)
            foreach (var kernel in PaperTables.KernelLabels(c.Matrix))
            {
                lines.Add($"{d}, kernel {kernel}:");
                lines.Add($"  {"scorer",-8} {"easy",-16} {"hard",-16}");
                foreach (var s in c.Matrix.Scorers)
                {
                    string Cell(string side)
                    {
                        var sel = cells.Where(x => x.Dataset == d && x.Kernel == kernel && x.Scorer == s && x.Side == side && x.Unlearner == "gradascent" && x.Expansion == k).ToList();
                        return sel.Count == 0 ? "–" : string.Create(inv, $"{sel.Average(x => x.ForgetAcc):F2} ({sel.Average(x => x.TestAcc):F3})");
                    }
                    lines.Add($"  {PaperTables.Name(s),-8} {Cell("easy"),-16} {Cell("hard"),-16}");
                }
            }
        return string.Join("\n", lines);
    }

    /// <summary>The shared folder of a data set's scoring run for one kernel (as <see cref="MatrixRunner"/> writes it).</summary>
    static string SharedDir(Ctx c, string dataset, int seed, string kernel) => Path.Combine(c.ResultsRoot, c.Matrix.Name, "shared", $"{dataset}-s{seed}", kernel);

    /// <summary>Figures 1-5 for every kernel: 2, 4, 5 from the cells, 1 and 3 from the kernel's scoring run (first data set and seed with results).</summary>
    static IEnumerable<string> DrawFigures(Ctx c, List<CellResult> cells)
    {
        var paths = new List<string>();
        var (dataset, seed) = (cells[0].Dataset, cells[0].Seed);
        var runner = new MatrixRunner(c.File, c.Matrix, c.ResultsRoot, c.DataRoot);
        Data.DataSplits? data = null;
        foreach (var kernel in PaperTables.KernelLabels(c.Matrix))
        {
            var own = cells.Where(x => x.Kernel == kernel).ToList();
            foreach (var fig in new[] { 2, 4, 5 })
            {
                if (!c.Matrix.Scorers.Contains(Reporting.Figures.ExpansionFigureScorer[fig]) || own.Count == 0) continue;
                var p = Out(c, $"figure{fig}-{kernel}.png");
                Reporting.Figures.Save(Reporting.Figures.Expansion(c.Matrix, own, fig, kernel), p);
                paths.Add(p);
            }
            var shared = SharedDir(c, dataset, seed, kernel);
            if (!File.Exists(Path.Combine(shared, "scores.csv"))) continue;
            data ??= runner.TrainOptionsFor(dataset, seed).LoadData();
            var scores = PointScores.ReadCsv(Path.Combine(shared, "scores.csv"));
            var f1 = Out(c, $"figure1-{kernel}.png");
            Reporting.Figures.Save(Reporting.Figures.FlaggedImages(c.Matrix, scores, data.Train, kernel), f1);
            paths.Add(f1);
            var scorer = c.Matrix.Scorers.Contains("emsksd") ? "emsksd" : c.Matrix.Scorers[0];
            var f3 = Out(c, $"figure3-{kernel}.png");
            Reporting.Figures.Save(Reporting.Figures.KernelRows(shared, scorer, scores.Label, kernel), f3);
            paths.Add(f3);
        }
        return paths;
    }

    static IEnumerable<string> WriteTablesAndReport(Ctx c, List<CellResult> cells, string verification, IReadOnlyDictionary<string, string>? studyVerification = null)
    {
        var entries = PaperTables.Build(c.Matrix, cells);
        var paths = new List<string>();
        foreach (int t in new[] { 1, 2, 3 })
        {
            var csv = Out(c, $"table{t}.csv");
            var md = Out(c, $"table{t}-github.md");
            AtomicFile.WriteAllText(csv, PaperTables.Csv(entries.Where(e => e.Table == t)));
            AtomicFile.WriteAllText(md, PaperTables.Markdown(c.Matrix, entries, t));
            paths.Add(csv); paths.Add(md);
        }
        var originals = new Dictionary<string, TrainReport>();
        foreach (var d in c.Matrix.Datasets)
        {
            var path = Path.Combine(c.ResultsRoot, c.Matrix.Name, "shared", $"{d}-s{c.Matrix.Seeds[0]}", "train.json");
            if (File.Exists(path)) originals[d] = Json.Deserialize<TrainReport>(File.ReadAllText(path));
        }
        var evidence = new Dictionary<(string, string), KernelEvidence>();
        foreach (var d in c.Matrix.Datasets)
            foreach (var kernel in PaperTables.KernelLabels(c.Matrix))
            {
                var dir = SharedDir(c, d, c.Matrix.Seeds[0], kernel);
                if (!File.Exists(Path.Combine(dir, "scores.csv")) || !File.Exists(Path.Combine(dir, "extremes.json"))) continue;
                var meta = File.Exists(Path.Combine(dir, "meta.json")) ? Json.Deserialize<ScoreMeta>(File.ReadAllText(Path.Combine(dir, "meta.json"))) : null;
                evidence[(d, kernel)] = new KernelEvidence(PointScores.ReadCsv(Path.Combine(dir, "scores.csv")),
                    Json.Deserialize<List<ScoreJob.ExtremeRow>>(File.ReadAllText(Path.Combine(dir, "extremes.json"))), meta);
            }
        var report = Path.Combine(c.ResultsRoot, c.Matrix.Name, "REPORT.md");
        var text = ReproductionReport.Build(c.Matrix, cells, entries, originals, verification, evidence);
        foreach (var study in c.File.StudiesOf(c.Matrix.Name))
            text += Reporting.StudyReport.Section(study, Path.Combine(c.ResultsRoot, study.Name),
                studyVerification?.GetValueOrDefault(study.Name) ?? "not run by `harness report` (see `harness study`)");
        AtomicFile.WriteAllText(report, text);
        paths.Add(report);
        return paths;
    }
}
