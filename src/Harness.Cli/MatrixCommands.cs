using Harness.Config;
using Harness.Experiments;
using Harness.Util;

namespace Harness.Cli;

/// <summary>`harness list|run|merge|verify|accept --matrix NAME`.</summary>
static class MatrixCommands
{
    sealed record Common(ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot);

    static Common Read(CliArgs a)
    {
        var name = a.String("matrix") ?? throw new HarnessException("--matrix NAME is required (see experiments.yaml).");
        var config = a.String("config") ?? Path.Combine(Paths.RepoRoot, "experiments.yaml");
        var results = a.String("results") ?? Paths.ResultsRoot;
        var file = ExperimentsFile.Load(config);
        return new Common(file, file.Matrix(name), Path.GetFullPath(results));
    }

    public static int List(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var c = Read(a);
        a.RejectUnused("list");
        foreach (var cell in Matrices.Cells(c.Matrix)) Console.WriteLine(cell.Id);
        return 0;
    }

    public static int Run(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var c = Read(a);
        var (index, count) = Sharding.Resolve(a.String("shard"));
        string? dataRoot = a.String("data-root");
        a.RejectUnused("run");
        var cells = Matrices.Cells(c.Matrix).Where(x => x.Shard(count) == index).ToList();
        Console.Error.WriteLine($"matrix {c.Matrix.Name}: {cells.Count} cells{(count > 1 ? $" (shard {index}/{count})" : "")}, results in {Path.Combine(c.ResultsRoot, c.Matrix.Name)}");
        var runner = new MatrixRunner(c.File, c.Matrix, c.ResultsRoot, dataRoot);
        // Say up front which parts cannot run here (absent data, no CUDA) instead of after hours of the rest.
        foreach (var g in cells.GroupBy(x => (x.Dataset, x.Seed)))
            if (runner.Unavailable(g.Key.Dataset, g.Key.Seed) is { } why)
                Console.Error.WriteLine($"{g.Key.Dataset} (seed {g.Key.Seed}): {g.Count()} cells will be skipped: {why}");
        var outcomes = runner.Run(cells, new ConsoleProgress());
        int computed = outcomes.Count(o => o.Status == CellStatus.Computed), done = outcomes.Count(o => o.Status == CellStatus.AlreadyDone);
        var ignored = outcomes.Where(o => o.Status == CellStatus.Ignored).ToList();
        Console.WriteLine($"{computed} computed, {done} already done, {ignored.Count} ignored");
        foreach (var g in ignored.GroupBy(o => o.Cell.Dataset))
            Console.WriteLine($"ignored {g.Count()} {g.Key} cells: {g.First().Reason!.Split('\n')[0]}");
        return 0;
    }

    public static int Merge(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var c = Read(a);
        a.RejectUnused("merge");
        var path = MergeInto(c.Matrix, c.ResultsRoot, out var missing);
        Console.WriteLine($"wrote {path}{(missing.Count > 0 ? $" ({missing.Count} cells not run yet, e.g. {missing[0]})" : "")}");
        return 0;
    }

    public static string MergeInto(MatrixSpec matrix, string resultsRoot, out List<string> missing)
    {
        var (rows, miss) = MatrixTable.Collect(matrix, resultsRoot);
        missing = miss;
        var path = MatrixTable.CsvPath(resultsRoot, matrix.Name);
        AtomicFile.WriteAllText(path, MatrixTable.ToCsv(rows));
        return path;
    }

    public static int Verify(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var c = Read(a);
        a.RejectUnused("verify");
        MergeInto(c.Matrix, c.ResultsRoot, out var missing);
        if (missing.Count > 0) throw new HarnessException($"{missing.Count} cells of '{c.Matrix.Name}' have no result (e.g. {missing[0]}); run `harness run --matrix {c.Matrix.Name}` first.");
        Verification.Verify(c.Matrix, c.ResultsRoot);
        Console.WriteLine($"{c.Matrix.Name}: all cells match {Verification.VerifiedPath(c.ResultsRoot, c.Matrix.Name)}");
        return 0;
    }

    public static int Accept(IEnumerable<string> args)
    {
        var a = new CliArgs(args);
        var c = Read(a);
        a.RejectUnused("accept");
        var path = Verification.Accept(c.Matrix, c.ResultsRoot, $"harness run --matrix {c.Matrix.Name}");
        Console.WriteLine($"accepted {path}");
        return 0;
    }
}
