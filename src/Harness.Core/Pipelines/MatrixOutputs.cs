using System.Globalization;
using Harness.Experiments;
using Harness.Jobs;
using Harness.Reporting;
using Harness.Runs;
using Harness.Scoring;
using Harness.Study;

namespace Harness.Pipelines;

/// <summary>
/// What a matrix's finished cells and shared scoring runs become (`harness merge|figures|report`, and the end of
/// `reproduce`): cells.csv, Figures 1-5, Tables 1-3 and REPORT.md, each written atomically under the matrix's folder.
/// </summary>
public sealed class MatrixOutputs(ExperimentsFile file, MatrixSpec matrix, string resultsRoot, string? dataRoot, Action<string>? note = null)
{
    readonly ResultsLayout layout = new(resultsRoot);
    readonly Action<string> note = note ?? Console.Error.WriteLine;

    public string Dir => layout.Dir(matrix.Name);

    /// <summary>Every finished cell; an error where there is none, a note naming one of those still missing.</summary>
    public List<CellResult> Cells()
    {
        var (rows, missing) = MatrixTable.Collect(matrix, resultsRoot);
        if (rows.Count == 0) throw new HarnessException($"matrix '{matrix.Name}' has no results in {resultsRoot}; run `harness run --matrix {matrix.Name}` first.");
        if (missing.Count > 0) note($"note: {missing.Count} cells of '{matrix.Name}' have no result yet (e.g. {missing[0]}); tables and figures use the {rows.Count} that do.");
        return rows;
    }

    /// <summary>Writes cells.csv from every finished cell; returns its path and the ids of cells without a result.</summary>
    public (string Path, List<string> Missing) Merge()
    {
        var (rows, missing) = MatrixTable.Collect(matrix, resultsRoot);
        var path = layout.MergedCells(matrix.Name);
        AtomicFile.WriteAllText(path, MatrixTable.ToCsv(rows));
        return (path, missing);
    }

    /// <summary>Figures 1-5 for every kernel: 2, 4, 5 from the cells, 1 and 3 from the kernel's scoring run (first data set and seed with results).</summary>
    public List<string> DrawFigures(List<CellResult> cells)
    {
        var paths = new List<string>();
        var (dataset, seed) = (cells[0].Dataset, cells[0].Seed);
        Data.DataSplits? data = null;
        foreach (var kernel in PaperTables.KernelLabels(matrix))
        {
            var own = cells.Where(x => x.Kernel == kernel).ToList();
            foreach (var fig in new[] { 2, 4, 5 })
            {
                if (!matrix.Scorers.Contains(Figures.ExpansionFigureScorer[fig]) || own.Count == 0) continue;
                var p = layout.Figure(matrix.Name, fig, kernel);
                Figures.Save(Figures.Expansion(matrix, own, fig, kernel), p);
                paths.Add(p);
            }
            var run = layout.ScoringRun(matrix.Name, dataset, seed, kernel);
            if (!File.Exists(run.Scores)) continue;
            data ??= new MatrixRunner(file, matrix, resultsRoot, dataRoot).TrainOptionsFor(dataset, seed).LoadData();
            var scores = PointScores.ReadCsv(run.Scores);
            var f1 = layout.Figure(matrix.Name, 1, kernel);
            Figures.Save(Figures.FlaggedImages(matrix, scores, data.Train, kernel), f1);
            paths.Add(f1);
            var scorer = matrix.Scorers.Contains("emsksd") ? "emsksd" : matrix.Scorers[0];
            var f3 = layout.Figure(matrix.Name, 3, kernel);
            Figures.Save(Figures.KernelRows(run, scorer, scores.Label, kernel), f3);
            paths.Add(f3);
        }
        if (matrix.Population != null)
            foreach (var d in matrix.Datasets)
            {
                // LiRA's ROC on the population, from the curve its sealed summary holds
                var files = layout.Population(matrix.Name, d, matrix.Seeds[0]);
                if (PopulationSummaryOf(d) is not { } summary) continue;
                if (summary.RocFpr is not { } fpr || summary.RocTpr is not { } tpr) continue; // summarised before it kept its curve
                PopulationFigures.SaveRoc($"LiRA on the {d} population ({summary.Models} models, each attacked with the others)", (fpr, tpr), summary.Auc, files.Roc);
                paths.Add(files.Roc);
            }
        return paths;
    }

    /// <summary>Tables 1-3 (CSV and GitHub Markdown) and REPORT.md, with the matrix's studies' sections.</summary>
    public List<string> WriteTablesAndReport(List<CellResult> cells, string verification, IReadOnlyDictionary<string, string>? studyVerification = null)
    {
        var entries = PaperTables.Build(matrix, cells);
        var paths = new List<string>();
        foreach (int t in new[] { 1, 2, 3 })
        {
            var csv = layout.Table(matrix.Name, t, markdown: false);
            var md = layout.Table(matrix.Name, t, markdown: true);
            AtomicFile.WriteAllText(csv, PaperTables.Csv(entries.Where(e => e.Table == t)));
            AtomicFile.WriteAllText(md, PaperTables.Markdown(matrix, entries, t));
            paths.Add(csv); paths.Add(md);
        }
        var originals = new Dictionary<string, TrainReport>();
        foreach (var d in matrix.Datasets)
        {
            var path = layout.TrainReport(matrix.Name, d, matrix.Seeds[0]);
            if (SealedRecord.Problem(path) is { } damaged) throw new HarnessException($"{damaged}; `harness run --matrix {matrix.Name}` writes it again.");
            if (File.Exists(path)) originals[d] = Json.Deserialize<TrainReport>(File.ReadAllText(path));
        }
        var evidence = new Dictionary<(string, string), KernelEvidence>();
        foreach (var d in matrix.Datasets)
            foreach (var kernel in PaperTables.KernelLabels(matrix))
            {
                var run = layout.ScoringRun(matrix.Name, d, matrix.Seeds[0], kernel);
                if (!File.Exists(run.Scores) || !File.Exists(run.ExtremesJson)) continue;
                if (ScoringRunCheck.Damaged(run) is { } damaged) throw new HarnessException($"{damaged}; `harness run --matrix {matrix.Name}` scores it again.");
                var meta = File.Exists(run.Meta) ? Json.Deserialize<ScoreMeta>(File.ReadAllText(run.Meta)) : null;
                evidence[(d, kernel)] = new KernelEvidence(PointScores.ReadCsv(run.Scores), Json.Deserialize<List<ExtremeRow>>(File.ReadAllText(run.ExtremesJson)), meta);
            }
        var report = layout.Report(matrix.Name);
        // The population's summaries: the attack's strength for the membership section, its power on canaries for the first one.
        var summaries = matrix.Datasets.Select(d => (d, s: PopulationSummaryOf(d))).Where(x => x.s != null).ToDictionary(x => x.d, x => x.s!);
        var population = summaries.ToDictionary(kv => kv.Key, kv => PopulationRunner.StrengthMarkdown(kv.Value, kv.Key));
        var text = ReproductionReport.Build(matrix, cells, entries, originals, verification, evidence, population, Instruments(originals, evidence, summaries));
        foreach (var study in file.StudiesOf(matrix.Name))
        {
            text += StudyReport.Section(study, layout.Study(study.Name), studyVerification?.GetValueOrDefault(study.Name) ?? "not run by `harness report` (see `harness study`)");
            text += StudyReport.Comparison(study, layout.Study(study.Name), file.Studies.Values.Select(o => (o, layout.Study(o.Name))));
        }
        AtomicFile.WriteAllText(report, text);
        paths.Add(report);
        return paths;
    }

    /// <summary>The report's section on the canaries (null without any): the population's power on them and each scorer's ranking of them.</summary>
    static string? Instruments(Dictionary<string, TrainReport> originals, Dictionary<(string, string), KernelEvidence> evidence, Dictionary<string, PopulationSummary> summaries)
    {
        if (!originals.Values.Any(o => o.Canaries != null)) return null;
        var ranking = new Dictionary<(string, string), IReadOnlyList<ScorerOnGroup>>();
        foreach (var (d, o) in originals)
            if (o.Canaries is { } c)
                foreach (var ((_, kernel), e) in evidence.Where(kv => kv.Key.Item1 == d))
                    ranking[(d, kernel)] = GroupRanking.Of(e.Scores, c.Mask(e.Scores.Count));
        var power = summaries.ToDictionary(kv => kv.Key, kv => PopulationRunner.PowerMarkdown(kv.Value));
        return ReproductionReport.InstrumentsSection(originals, power, ranking);
    }

    /// <summary>The sealed summary of a data set's population (null where the matrix has none or it is not made yet); a damaged one is an error saying how to remake it.</summary>
    PopulationSummary? PopulationSummaryOf(string dataset)
    {
        if (matrix.Population == null) return null;
        var files = layout.Population(matrix.Name, dataset, matrix.Seeds[0]);
        if (!File.Exists(files.Summary)) return null;
        if (SealedRecord.Problem(files.Summary) is { } damaged) throw new HarnessException($"{damaged}; `harness run --matrix {matrix.Name}` summarises the population again.");
        return Json.Deserialize<PopulationSummary>(File.ReadAllText(files.Summary));
    }

    /// <summary>The console summary of a reproduction: GradAscent's forget and test accuracy of the easy and hard points, per scorer and kernel.</summary>
    public string Summary(List<CellResult> cells)
    {
        int k = PaperTables.Expansion(matrix);
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string> { $"GradAscent, k = {k}: forget accuracy (test accuracy) of the easy and hard points per scorer and kernel" };
        foreach (var d in matrix.Datasets)
            foreach (var kernel in PaperTables.KernelLabels(matrix))
            {
                lines.Add($"{d}, kernel {kernel}:");
                lines.Add($"  {"scorer",-8} {"easy",-16} {"hard",-16}");
                foreach (var s in matrix.Scorers)
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
}
