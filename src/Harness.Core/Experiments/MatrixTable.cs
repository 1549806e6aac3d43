using Harness.Numerics;
using Harness.Runs;
using System.Globalization;
using System.Text;

namespace Harness.Experiments;

/// <summary>results/&lt;matrix&gt;/cells.csv: one row per finished cell, in the matrix's cell order, numbers in the invariant culture.</summary>
public static class MatrixTable
{
    public static readonly string[] Columns =
    {
        "cell", "dataset", "kernel", "scorer", "side", "target", "unlearner", "expansion", "seed",
        "original_forget_acc", "forget_acc", "forget_acc_drop", "forget_loss", "remain_acc", "remain_loss", "test_acc", "test_loss", "mia_efficacy",
        "mia_shadow_balanced_accuracy", "mia_threshold", "distance",
        "phi_before", "phi_after", "p_out_before", "p_out_after", "lira_before", "lira_after", "member_before", "member_after",
        "forget_members_before", "forget_members_after", "remain_members_before", "remain_members_after", "seconds",
    };

    /// <summary>The per-example evidence columns (NaN where the matrix has no population).</summary>
    public static double[] EvidenceValues(Populations.ForgetEvidence? e) => e == null ? Enumerable.Repeat(double.NaN, 12).ToArray() : new[]
    {
        e.TargetBefore.Phi, e.TargetAfter.Phi, e.TargetBefore.OutPValue, e.TargetAfter.OutPValue, e.TargetBefore.Lira, e.TargetAfter.Lira,
        e.TargetBefore.Member ? 1.0 : 0.0, e.TargetAfter.Member ? 1.0 : 0.0, e.ForgetMembersBefore, e.ForgetMembersAfter, e.RemainMembersBefore, e.RemainMembersAfter,
    };

    /// <summary>Identity columns after `cell` (dataset … seed); the rest are numbers.</summary>
    const int KeyEnd = 9;

    public static readonly string[] Metrics = Columns[KeyEnd..];

    public sealed record Row(string Cell, string[] Keys, Dictionary<string, double> Values);

    public static string CsvPath(string resultsRoot, string matrix) => new ResultsLayout(resultsRoot).MergedCells(matrix);

    /// <summary>
    /// Reads every finished cell of the matrix; returns the rows and the ids of cells without a result. Cells made from
    /// different inputs are never mixed: a result without a fingerprint, or two that disagree on something all cells of the
    /// matrix (or of one data set and seed, or of one algorithm there) share, is an error naming both cells and the input.
    /// </summary>
    public static (List<CellResult> Rows, List<string> Missing) Collect(MatrixSpec matrix, string resultsRoot)
    {
        var (rows, missing) = Read(matrix, resultsRoot);
        CheckConsistent(matrix, rows);
        return (rows, missing);
    }

    /// <summary>
    /// Inputs every cell of the matrix shares (code, versions, runtime), those shared per data set and seed (data, model,
    /// training, scoring), and per data set, seed and algorithm (its settings).
    /// </summary>
    static string GroupOf(string key, CellResult c) =>
        key.StartsWith("code.", StringComparison.Ordinal) || key.StartsWith("versions.", StringComparison.Ordinal) || key.StartsWith("runtime.", StringComparison.Ordinal) ? "matrix"
        : key.StartsWith("evaluation.", StringComparison.Ordinal) || key == "cell.candidates" ? "matrix"
        : key.StartsWith("data.", StringComparison.Ordinal) || key.StartsWith("training.", StringComparison.Ordinal) ? $"{c.Dataset}/s{c.Seed}"
        : key.StartsWith("scoring.", StringComparison.Ordinal) ? $"{c.Dataset}/s{c.Seed}/{c.Kernel}"
        : key.StartsWith("unlearning.", StringComparison.Ordinal) ? $"{c.Dataset}/s{c.Seed}/{c.Unlearner}"
        : key.StartsWith("evidence.", StringComparison.Ordinal) ? $"{c.Dataset}/s{c.Seed}"
        : "";

    public static void CheckConsistent(MatrixSpec matrix, IReadOnlyList<CellResult> rows)
    {
        var without = rows.FirstOrDefault(r => r.Fingerprint == null);
        if (without != null)
            throw new HarnessException($"matrix '{matrix.Name}': cell {without.Cell} has no fingerprint (made by an older harness); run `harness run --matrix {matrix.Name}` to recompute it.");
        var first = new Dictionary<(string Group, string Key), (CellResult Cell, string Value)>();
        foreach (var r in rows)
            foreach (var (key, value) in r.Fingerprint!.Inputs)
            {
                var group = GroupOf(key, r);
                if (group.Length == 0) continue;
                if (!first.TryGetValue((group, key), out var seen)) { first[(group, key)] = (r, value); continue; }
                if (seen.Value != value)
                    throw new HarnessException($"matrix '{matrix.Name}' mixes cells made from different inputs: {seen.Cell.Cell} and {r.Cell} differ in {key} " +
                        $"({seen.Value} vs {value}); run `harness run --matrix {matrix.Name}` to recompute the stale cells.");
            }
    }

    static (List<CellResult> Rows, List<string> Missing) Read(MatrixSpec matrix, string resultsRoot)
    {
        var rows = new List<CellResult>();
        var missing = new List<string>();
        foreach (var cell in Matrices.Cells(matrix))
        {
            var path = cell.ResultPath(resultsRoot);
            if (!File.Exists(path)) { missing.Add(cell.Id); continue; }
            if (SealedRecord.Problem(path) is { } damaged)
                throw new HarnessException($"{damaged}; `harness run --matrix {matrix.Name}` computes the cell again.");
            try { rows.Add(Json.Deserialize<CellResult>(File.ReadAllText(path))); }
            catch (System.Text.Json.JsonException e)
            {
                throw new HarnessException($"{path}: unreadable cell result ({e.Message}); delete it and run the matrix again.");
            }
        }
        return (rows, missing);
    }

    public static string ToCsv(IEnumerable<CellResult> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(string.Join(",", Columns)).Append('\n');
        foreach (var r in rows)
        {
            sb.Append(string.Join(",", r.Cell, r.Dataset, r.Kernel, r.Scorer, r.Side, r.Target.ToString(inv), r.Unlearner, r.Expansion.ToString(inv), r.Seed.ToString(inv)));
            foreach (var v in new[] { r.OriginalForgetAcc, r.ForgetAcc, r.ForgetAccDrop, r.ForgetLoss, r.RemainAcc, r.RemainLoss, r.TestAcc, r.TestLoss, r.MiaEfficacy, r.MiaShadowBalancedAccuracy, r.MiaThreshold, r.Distance }
                .Concat(EvidenceValues(r.Evidence)).Append(r.Seconds))
                sb.Append(',').Append(v.ToString("R", inv));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static List<Row> ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new HarnessException($"{path}: not found.");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0 || lines[0] != string.Join(",", Columns))
            throw new HarnessException($"{path}: the header must be {string.Join(",", Columns)}.");
        var rows = new List<Row>();
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length != Columns.Length) throw new HarnessException($"{path}:{i + 1}: {f.Length} fields, expected {Columns.Length}.");
            var values = new Dictionary<string, double>();
            for (int c = KeyEnd; c < Columns.Length; c++)
            {
                if (!double.TryParse(f[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new HarnessException($"{path}:{i + 1}: column {Columns[c]} '{f[c]}' is not a number.");
                values[Columns[c]] = v;
            }
            rows.Add(new Row(f[0], f[1..KeyEnd], values));
        }
        return rows;
    }
}

/// <summary>
/// Compares a merged table with the committed `NAME-cells.CLASS.verified.csv` of this machine's numerics class (or any
/// other class's, <see cref="Baselines"/>) under the matrix's per-column tolerances (Verify's convention: a mismatch
/// writes `*.received.csv` beside it). `seconds` is wall-clock and never compared.
/// </summary>
public static class Verification
{
    public static string Stem(string matrix) => $"{matrix}-cells";

    /// <summary>This machine's baseline of the matrix (the one `accept` writes).</summary>
    public static string VerifiedPath(string resultsRoot, string matrix) => Baselines.PathOf(new ResultsLayout(resultsRoot).Dir(matrix), Stem(matrix));
    public static string ReceivedPath(string resultsRoot, string matrix) => new ResultsLayout(resultsRoot).ReceivedCells(matrix);

    /// <summary>The differences, one readable line each; empty when the table matches.</summary>
    public static List<string> Compare(MatrixSpec matrix, List<MatrixTable.Row> verified, List<MatrixTable.Row> received)
    {
        var diffs = new List<string>();
        var inv = CultureInfo.InvariantCulture;
        var rec = received.ToDictionary(r => r.Cell);
        foreach (var v in verified)
        {
            if (!rec.TryGetValue(v.Cell, out var r)) { diffs.Add($"{v.Cell}: in the verified table, missing from the received one"); continue; }
            for (int k = 0; k < v.Keys.Length; k++)
                if (v.Keys[k] != r.Keys[k])
                    diffs.Add($"{v.Cell}: {MatrixTable.Columns[k + 1]}: verified {v.Keys[k]}, received {r.Keys[k]}");
            foreach (var col in MatrixTable.Metrics.Where(c => c != "seconds"))
            {
                var tol = matrix.ToleranceOf(col);
                if (!tol.Holds(v.Values[col], r.Values[col]))
                    diffs.Add(string.Create(inv, $"{v.Cell}: {col}: verified {v.Values[col]:R}, received {r.Values[col]:R} (tolerance abs {tol.Abs:G3} + rel {tol.Rel:G3})"));
            }
        }
        var known = verified.Select(v => v.Cell).ToHashSet();
        diffs.AddRange(received.Where(r => !known.Contains(r.Cell)).Select(r => $"{r.Cell}: received, not in the verified table"));
        return diffs;
    }

    /// <summary>
    /// Checks &lt;results&gt;/&lt;matrix&gt;/cells.csv against the baselines under <paramref name="baselineRoot"/> (default: the
    /// same results root) and returns the one it matches; on mismatch writes the received file beside them and throws with
    /// the diff (<see cref="NoBaselineForClassException"/> when only other CPU classes have a baseline).
    /// </summary>
    public static string Verify(MatrixSpec matrix, string resultsRoot, string? baselineRoot = null)
    {
        var csv = MatrixTable.CsvPath(resultsRoot, matrix.Name);
        var received = MatrixTable.ReadCsv(csv);
        var root = baselineRoot ?? resultsRoot;
        return Baselines.Verify(new ResultsLayout(root).Dir(matrix.Name), Stem(matrix.Name), csv, ReceivedPath(root, matrix.Name), $"matrix '{matrix.Name}'",
            $"make accept MATRIX={matrix.Name}", path =>
            {
                try { return Compare(matrix, MatrixTable.ReadCsv(path), received); }
                catch (HarnessException e) { return new() { $"{e.Message} The baseline has another layout (an older harness?); accept a new one with `make accept MATRIX={matrix.Name} WHY=…`." }; }
            });
    }

    /// <summary>Promotes the received table (or the current merge) to the verified baseline and records how it was made.</summary>
    public static string Accept(MatrixSpec matrix, string resultsRoot, string command, string? why = null)
    {
        var source = File.Exists(ReceivedPath(resultsRoot, matrix.Name)) ? ReceivedPath(resultsRoot, matrix.Name) : MatrixTable.CsvPath(resultsRoot, matrix.Name);
        if (!File.Exists(source)) throw new HarnessException($"{source}: nothing to accept; run `harness run --matrix {matrix.Name}` and `harness merge --matrix {matrix.Name}` first.");
        var verified = VerifiedPath(resultsRoot, matrix.Name);
        File.Copy(source, verified, true);
        if (source.EndsWith(".received.csv", StringComparison.Ordinal)) File.Delete(source);
        var rows = MatrixTable.ReadCsv(verified);
        var first = Matrices.Cells(matrix).Select(c => c.ResultPath(resultsRoot)).FirstOrDefault(File.Exists);
        var sample = first == null ? null : Json.Deserialize<CellResult>(File.ReadAllText(first));
        var how = $"""
            # How {Path.GetFileName(verified)} was made

            - matrix: `{matrix.Name}` of experiments.yaml ({matrix.Description})
            - command: `{command}` (regenerate: `harness run --matrix {matrix.Name} && harness merge --matrix {matrix.Name}`, then `make accept MATRIX={matrix.Name}`)
            - cells: {rows.Count}; seeds: {string.Join(", ", matrix.Seeds)}; threads: {sample?.Threads.ToString(CultureInfo.InvariantCulture) ?? "?"}; device: {sample?.Device ?? "?"}
            - machine: {Harness.Util.Machine.Describe()}; numeric code capped at: {CpuIsa.Describe()}; numerics class: {NumericsClass.Current} (this baseline verifies runs of that class)
            - TorchSharp {Versions.TorchSharp}, LibTorch {Versions.LibTorch}; git commit of the cells: {sample?.GitCommit ?? "?"}
            - code versions: {CodeVersion.Describe()}; cell fingerprint of the first cell: {sample?.Fingerprint?.Hash ?? "?"}
            - why this baseline: {why ?? "not stated (`harness accept --why TEXT` records it)"}
            - tolerances (abs + rel·|verified|): {string.Join("; ", MatrixTable.Metrics.Where(c => c != "seconds").Select(c => string.Create(CultureInfo.InvariantCulture, $"{c} {matrix.ToleranceOf(c).Abs:G3} + {matrix.ToleranceOf(c).Rel:G3}")))}; `seconds` is not compared.
            """;
        AtomicFile.WriteAllText(Path.ChangeExtension(verified, ".md"), how + "\n");
        Baselines.RemoveStale(Path.GetDirectoryName(verified)!, Stem(matrix.Name), CodeVersion.Describe());
        return verified;
    }
}
