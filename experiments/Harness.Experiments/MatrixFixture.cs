using FluentAssertions;
using Harness.Experiments;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Experiments.Fixtures;

/// <summary>
/// Every cell of every declared matrix, computed in a results folder of this test run alone, then the merged table of each
/// matrix against its verified baseline in results/ (a mismatch writes results/&lt;matrix&gt;/&lt;matrix&gt;-cells.received.csv).
/// </summary>
[NonParallelizable]
public class MatrixFixture
{
    [TestCaseSource(typeof(MatrixCells), nameof(MatrixCells.Cells))]
    public void Cell(string matrix, string id)
    {
        var runner = MatrixCells.Runner(matrix);
        var cell = MatrixCells.Find(matrix, id);
        var outcome = runner.RunCell(cell);
        if (outcome.Status == CellStatus.Ignored) Assert.Ignore(outcome.Reason!);
        outcome.Status.Should().BeOneOf(new[] { CellStatus.Computed, CellStatus.Reused }, "the results folder is this test run's own, so every cell is computed (or written from the identical computation of another)");
        TestContext.Out.WriteLine($"{(outcome.Status == CellStatus.Reused ? $"written from {outcome.Reason}:" : "computed")} {id} in {runner.ResultsRoot}");
        var result = Json.Deserialize<CellResult>(File.ReadAllText(cell.ResultPath(runner.ResultsRoot)));
        result.Cell.Should().Be(id);
        foreach (var v in new[] { result.ForgetAcc, result.RemainAcc, result.TestAcc, result.MiaEfficacy })
            v.Should().BeInRange(0, 1);
        result.ForgetSet.Should().HaveCount(cell.Expansion + 1).And.OnlyHaveUniqueItems();
        double.IsFinite(result.Distance).Should().BeTrue();
    }

    [TestCaseSource(typeof(MatrixCells), nameof(MatrixCells.MatrixNames))]
    public void Verified(string matrix)
    {
        var spec = MatrixCells.Experiments.Matrix(matrix);
        var runner = MatrixCells.Runner(matrix);
        var outcomes = runner.Run(Matrices.Cells(spec), new ConsoleProgress(TestContext.Progress, live: false));
        var ignored = outcomes.Where(o => o.Status == CellStatus.Ignored).ToList();
        if (ignored.Count > 0) Assert.Ignore($"{ignored.Count} cells cannot run here: {ignored[0].Reason}");
        var (rows, missing) = MatrixTable.Collect(spec, runner.ResultsRoot);
        missing.Should().BeEmpty();
        Util.AtomicFile.WriteAllText(MatrixTable.CsvPath(runner.ResultsRoot, matrix), MatrixTable.ToCsv(rows));
        try { Verification.Verify(spec, runner.ResultsRoot, baselineRoot: Paths.ResultsRoot); }
        catch (NoBaselineForClassException e) { Assert.Inconclusive(e.Message); } // no baseline for this CPU class: nothing to verify against
        catch (HarnessException e) { Assert.Fail(e.Message); }
    }
}
