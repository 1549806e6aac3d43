using Harness.Numerics;
using System.Globalization;
using Harness.Experiments;
using Harness.Pipelines;

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

    static MatrixOutputs Outputs(Ctx c) => new(c.File, c.Matrix, c.ResultsRoot, c.DataRoot);

    static int Figures(Ctx c)
    {
        var outputs = Outputs(c);
        foreach (var p in outputs.DrawFigures(outputs.Cells())) Console.WriteLine($"wrote {p}");
        return 0;
    }

    static int Report(Ctx c)
    {
        var outputs = Outputs(c);
        foreach (var p in outputs.WriteTablesAndReport(outputs.Cells(), "not run by `harness report` (see `harness verify`)")) Console.WriteLine($"wrote {p}");
        return 0;
    }

    /// <summary>The main job (<see cref="Reproduction"/>); prints its summary, what it wrote and the verdict.</summary>
    static int Reproduce(Ctx c)
    {
        var o = Reproduction.Run(c.File, c.Matrix, c.ResultsRoot, c.DataRoot, new ConsoleProgress());
        Console.WriteLine();
        Console.WriteLine(o.Summary);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{o.Count(CellStatus.Computed)} cells computed, {o.Count(CellStatus.Reused)} written from an identical computation, {o.Count(CellStatus.AlreadyDone)} already done, in {o.Elapsed.TotalMinutes:F1} min."));
        Console.WriteLine(o.StageLine);
        Console.WriteLine($"Results in {new Runs.ResultsLayout(c.ResultsRoot).Dir(c.Matrix.Name)}:");
        foreach (var p in o.Written) Console.WriteLine($"  {Path.GetRelativePath(c.ResultsRoot, p)}");
        // A mismatch fails the job; where only another CPU class has a baseline, the job is complete but unverified (exit 3).
        var codes = o.Failures.Select(f => Cli.Report(f)).ToList();
        if (codes.Contains(Cli.Mismatch)) return Cli.Mismatch;
        if (codes.Count > 0)
        {
            static string Plain(string v) => v.Replace("**not verified**: ", "");
            Console.WriteLine($"Not verified: {Plain(o.Verification)}{string.Concat(o.StudyVerification.Select(kv => $"; study {kv.Key}: {Plain(kv.Value)}"))}.");
            return Cli.NotVerified;
        }
        Console.WriteLine($"Verified: {o.Verification}{string.Concat(o.StudyVerification.Select(kv => $"; study {kv.Key}: {kv.Value}"))}.");
        return 0;
    }
}
