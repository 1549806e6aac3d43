using Harness.Pipelines;
using Harness.Runs;
using Harness.Experiments;

namespace Harness.Cli;

/// <summary>`harness list|run|merge|verify|accept --matrix NAME`.</summary>
static class MatrixCommands
{
    public static IEnumerable<Command> Build()
    {
        var list = new MatrixOptionSet(required: true);
        yield return Make("list", "the cell ids of a matrix, one per line", list, r => List(list.Read(r)));

        var run = new MatrixOptionSet(required: true);
        var shard = Opt.Text("--shard", "run only shard i of n (cells hashed by id)", "i/n", "SLURM_ARRAY_TASK_ID/COUNT, JOB_COMPLETION_INDEX, else 0/1");
        var dataRoot = Opt.Text("--data-root", "data root", "dir", "$HARNESS_DATA, else data/");
        var worker = Opt.Text("--worker", "internal: be worker i of n started by a run with `workers: n`", "i/n", null);
        worker.Hidden = true;
        var phase = Opt.Text("--phase", "internal: the phase a worker runs (population: the reference models)", "name", null);
        phase.Hidden = true;
        yield return Make("run", "run a matrix's cells, resuming finished ones", run, r => Run(run.Read(r), r.GetValue(shard), r.GetValue(dataRoot), r.GetValue(worker), r.GetValue(phase)))
            .With(shard, dataRoot, worker, phase);

        var merge = new MatrixOptionSet(required: true);
        yield return Make("merge", "merge the cells into results/NAME/cells.csv", merge, r => Merge(merge.Read(r)));
        var verify = new MatrixOptionSet(required: false);
        var integrity = Opt.Flag("--integrity", "instead: check every reused file under the results folder (results/NAME with --matrix) and the cache against its record; list corrupt, missing and orphaned files (exit 5, 6, 7 for the worst found)");
        var repair = Opt.Flag("--repair", "with --integrity: delete what is corrupt or orphaned and the record of what is missing, so the next run computes it again");
        var audit = Opt.Int("--audit", "instead: compute N cells drawn at random from the matrix (and N points of each of its studies) afresh, from the cached or retrained model, and compare them bit for bit with the committed baseline (and points.csv), naming any that differ", null, 1);
        var seed = Opt.Int("--seed", "with --audit: the seed of the draw (the same cells on every machine)", "0", 0);
        yield return Make("verify", "merge, then compare with the baselines results/NAME/NAME-cells.CLASS.verified.csv (this CPU class first); or, with --integrity, check stored files against their records; or, with --audit N, recompute N cells and compare them", verify,
            r => r.GetValue(integrity) ? Integrity(r.GetValue(verify.Matrix), r.GetValue(verify.Results), r.GetValue(repair))
                : r.GetValue(repair) ? throw new HarnessException("--repair goes with --integrity.")
                : r.GetValue(audit) is int n ? AuditCells(verify.Read(r), n, r.GetValue(seed) ?? 0)
                : r.GetValue(seed) != null ? throw new HarnessException("--seed goes with --audit.")
                : Verify(verify.Read(r))).With(integrity, repair, audit, seed);
        var accept = new MatrixOptionSet(required: true);
        var why = Opt.Text("--why", "why the baseline changes, recorded in NAME-cells.CLASS.verified.md", "text", null);
        yield return Make("accept", "promote the received table to the verified baseline", accept, r => Accept(accept.Read(r), r.GetValue(why))).With(why);
    }

    static Command Make(string name, string description, MatrixOptionSet options, Func<ParseResult, int> action)
    {
        var c = new Command(name, description).With(options.All);
        c.SetAction(action);
        return c;
    }

    static int List((ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot) c)
    {
        foreach (var cell in Matrices.Cells(c.Matrix)) Console.WriteLine(cell.Id);
        return 0;
    }

    static int Run((ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot) c, string? shard, string? dataRoot, string? worker, string? phase)
    {
        var (index, count) = Sharding.Resolve(shard);
        var cells = Matrices.Cells(c.Matrix).Where(x => x.Shard(count) == index).ToList();
        if (phase != null && phase != PopulationRunner.Phase) throw new HarnessException($"--phase {phase}: the only phase is '{PopulationRunner.Phase}'.");
        if (worker != null && phase == PopulationRunner.Phase)
        {
            var (wi, wn) = Sharding.Resolve(worker);
            int n = new MatrixRunner(c.File, c.Matrix, c.ResultsRoot, dataRoot).RunPopulationWorker(Matrices.Cells(c.Matrix), wi, wn);
            Console.WriteLine($"{n} population models trained");
            return 0;
        }
        if (worker != null)
        {
            var (wi, wn) = Sharding.Resolve(worker);
            int n = new MatrixRunner(c.File, c.Matrix, c.ResultsRoot, dataRoot).RunWorker(cells, wi, wn);
            Console.WriteLine($"{n} cells computed");
            return 0;
        }
        Console.Error.WriteLine($"matrix {c.Matrix.Name}: {cells.Count} cells{(count > 1 ? $" (shard {index}/{count})" : "")}, results in {new ResultsLayout(c.ResultsRoot).Dir(c.Matrix.Name)}");
        var runner = new MatrixRunner(c.File, c.Matrix, c.ResultsRoot, dataRoot)
        {
            StartWorker = WorkerProcesses.Starter(c.File.Path, c.Matrix.Name, c.ResultsRoot, dataRoot, shard),
            // Shards of an array job train the population side by side (each model claimed once), not in workers of their own.
            StartPopulationWorker = count > 1 ? null : WorkerProcesses.Starter(c.File.Path, c.Matrix.Name, c.ResultsRoot, dataRoot, null, PopulationRunner.Phase),
        };
        // Say up front which parts cannot run here (absent data, no CUDA) instead of after hours of the rest.
        foreach (var g in cells.GroupBy(x => (x.Dataset, x.Seed)))
            if (runner.Unavailable(g.Key.Dataset, g.Key.Seed) is { } why)
                Console.Error.WriteLine($"{g.Key.Dataset} (seed {g.Key.Seed}): {g.Count()} cells will be skipped: {why}");
        var outcomes = runner.Run(cells, new ConsoleProgress());
        int computed = outcomes.Count(o => o.Status == CellStatus.Computed), done = outcomes.Count(o => o.Status == CellStatus.AlreadyDone);
        int copies = outcomes.Count(o => o.Status == CellStatus.Reused);
        var ignored = outcomes.Where(o => o.Status == CellStatus.Ignored).ToList();
        Console.WriteLine($"{computed} computed, {copies} written from an identical computation, {done} already done, {ignored.Count} ignored");
        foreach (var g in ignored.GroupBy(o => o.Cell.Dataset))
            Console.WriteLine($"ignored {g.Count()} {g.Key} cells: {g.First().Reason!.Split('\n')[0]}");
        return 0;
    }

    static int Merge((ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot) c)
    {
        var (path, missing) = new Pipelines.MatrixOutputs(c.File, c.Matrix, c.ResultsRoot, null).Merge();
        Console.WriteLine($"wrote {path}{(missing.Count > 0 ? $" ({missing.Count} cells not run yet, e.g. {missing[0]})" : "")}");
        return 0;
    }

    static int Verify((ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot) c)
    {
        var (_, missing) = new Pipelines.MatrixOutputs(c.File, c.Matrix, c.ResultsRoot, null).Merge();
        if (missing.Count > 0) throw new VerificationFailedException($"{missing.Count} cells of '{c.Matrix.Name}' have no result (e.g. {missing[0]}); run `harness run --matrix {c.Matrix.Name}` first.");
        var matched = Verification.Verify(c.Matrix, c.ResultsRoot);
        Console.WriteLine($"{c.Matrix.Name}: all cells match {matched}");
        return 0;
    }

    static int AuditCells((ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot) c, int n, int seed)
    {
        Pipelines.Audit.Run(c.File, c.Matrix, c.ResultsRoot, n, seed, Console.WriteLine, Console.Error.WriteLine,
            WorkerProcesses.Starter(c.File.Path, c.Matrix.Name, c.ResultsRoot, null, null, PopulationRunner.Phase));
        return 0;
    }

    static int Integrity(string? matrix, string? results, bool repair)
    {
        var root = Path.GetFullPath(results ?? Paths.ResultsRoot);
        if (matrix != null) root = Path.Combine(root, matrix);
        var cache = Paths.CacheRoot;
        var (findings, checkedFiles) = IntegrityCheck.Run(root, cache);
        foreach (var f in findings) Console.WriteLine($"{f.Fault.ToString().ToLowerInvariant()}: {f.Path}: {f.Detail}");
        var counts = Enum.GetValues<IntegrityFault>().Select(k => $"{findings.Count(f => f.Fault == k)} {k.ToString().ToLowerInvariant()}");
        Console.WriteLine($"integrity of {root} and the cache {cache}: {checkedFiles} recorded files checked; {string.Join(", ", counts)}");
        if (!repair) return IntegrityCheck.ExitCode(findings);
        var removed = IntegrityCheck.Repair(findings);
        foreach (var path in removed) Console.WriteLine($"removed {path}");
        Console.WriteLine($"repaired: {removed.Count} files removed; the next run computes what they held again");
        return 0;
    }

    static int Accept((ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot) c, string? why)
    {
        var path = Verification.Accept(c.Matrix, c.ResultsRoot, $"harness run --matrix {c.Matrix.Name}", why);
        Console.WriteLine($"accepted {path}");
        return 0;
    }
}
