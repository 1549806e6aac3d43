using Harness.Experiments;
using Harness.Runs;

namespace Harness.Pipelines;

/// <summary>What `harness reproduce` did: the cells' outcomes, what it wrote, and each verification (a failure is kept, not thrown).</summary>
public sealed record ReproductionOutcome(IReadOnlyList<CellOutcome> Cells, string Summary, IReadOnlyList<string> Written, string Verification,
    IReadOnlyDictionary<string, string> StudyVerification, IReadOnlyList<HarnessException> Failures, TimeSpan Elapsed, IReadOnlyDictionary<string, double> Stages)
{
    /// <summary>One line: the seconds of each stage, in the order they ran.</summary>
    public string StageLine => "stages: " + string.Join(", ", Stages.Select(kv => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:F0} s")));

    public int Count(CellStatus status) => Cells.Count(o => o.Status == status);
}

/// <summary>
/// NAME-timing.json: the seconds of each stage of one `harness reproduce`, with how many cells it computed (or wrote
/// from another cell's identical computation) and how many were already done, the machine and the commit: the times the
/// docs quote are a run's record (DocNumbersTests checks them), and a resumed run says it was one.
/// </summary>
public sealed record ReproductionTiming(string Matrix, string GitCommit, string Machine, string NumericsClass, int CellsComputed, int CellsShared,
    int CellsAlreadyDone, double TotalSeconds, Dictionary<string, double> Stages);

/// <summary>
/// The main job: run the matrix (resuming, in the declared workers), merge, verify against the committed baseline, run
/// and verify the matrix's studies (docs/method.md) on the same model and scores, then draw, tabulate and report.
/// </summary>
public static class Reproduction
{
    /// <summary>How a failed verification reads in REPORT.md.</summary>
    public static string Describe(HarnessException e) => e is NoBaselineForClassException
        ? $"**not verified**: no baseline for this CPU class ({Numerics.NumericsClass.Current})" : $"**failed**: {e.Message.Split('\n')[0]}";

    public static ReproductionOutcome Run(ExperimentsFile file, MatrixSpec matrix, string resultsRoot, string? dataRoot, IProgress progress, Action<string>? note = null)
    {
        note ??= Console.Error.WriteLine;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var runner = new MatrixRunner(file, matrix, resultsRoot, dataRoot)
        {
            StartWorker = WorkerProcesses.Starter(file.Path, matrix.Name, resultsRoot, dataRoot, null),
            StartPopulationWorker = WorkerProcesses.Starter(file.Path, matrix.Name, resultsRoot, dataRoot, null, PopulationRunner.Phase),
        };
        var outcomes = runner.Run(Matrices.Cells(matrix), progress);
        var stages = new Dictionary<string, double>(runner.StageSeconds);
        var lap = System.Diagnostics.Stopwatch.StartNew();
        var ignored = outcomes.Where(o => o.Status == CellStatus.Ignored).ToList();
        if (ignored.Count > 0) note($"{ignored.Count} cells ignored: {ignored[0].Reason!.Split('\n')[0]}");
        var outputs = new MatrixOutputs(file, matrix, resultsRoot, dataRoot, note);
        var cells = outputs.Cells();
        var (csv, missing) = outputs.Merge();
        string verification;
        var failures = new List<HarnessException>();
        try
        {
            if (missing.Count > 0) throw new VerificationFailedException($"{missing.Count} cells have no result");
            var matched = Verification.Verify(matrix, resultsRoot);
            verification = $"all {cells.Count} cells match `{Path.GetFileName(matched)}`";
        }
        catch (HarnessException e)
        {
            failures.Add(e);
            verification = Describe(e);
        }
        stages["merge and verify"] = lap.Elapsed.TotalSeconds;
        lap.Restart();
        var studyVerification = new Dictionary<string, string>();
        var studyWritten = new List<string>();
        foreach (var study in file.StudiesOf(matrix.Name))
        {
            var (outcome, matched, failure) = StudyPipeline.RunAndVerify(file, study, resultsRoot, dataRoot, null);
            studyWritten.AddRange(outcome.Written);
            studyVerification[study.Name] = failure == null ? $"summary matches `{Path.GetFileName(matched)}`" : Describe(failure);
            if (failure != null) failures.Add(failure);
        }
        if (studyWritten.Count > 0 || file.StudiesOf(matrix.Name).Any()) stages["study"] = lap.Elapsed.TotalSeconds;
        lap.Restart();
        var written = new List<string> { csv };
        written.AddRange(outputs.DrawFigures(cells));
        written.AddRange(outputs.WriteTablesAndReport(cells, verification, studyVerification));
        written.AddRange(studyWritten);
        stages["figures, tables and report"] = lap.Elapsed.TotalSeconds;
        var timing = new ReproductionTiming(matrix.Name, Util.GitInfo.Commit, Util.Machine.Describe(), Numerics.NumericsClass.Current,
            outcomes.Count(o => o.Status == CellStatus.Computed), outcomes.Count(o => o.Status == CellStatus.Reused), outcomes.Count(o => o.Status == CellStatus.AlreadyDone),
            Math.Round(watch.Elapsed.TotalSeconds, 1), stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 1)));
        var timingPath = new ResultsLayout(resultsRoot).Timing(matrix.Name);
        Util.AtomicFile.WriteAllText(timingPath, Util.Json.Serialize(timing));
        written.Add(timingPath);
        return new ReproductionOutcome(outcomes, outputs.Summary(cells), written, verification, studyVerification, failures, watch.Elapsed, stages);
    }
}
