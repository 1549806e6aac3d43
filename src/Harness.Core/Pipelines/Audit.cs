using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Harness.Experiments;
using Harness.Numerics;
using Harness.Runs;
using Harness.Study;

namespace Harness.Pipelines;

/// <summary>
/// `harness verify --matrix NAME --audit N [--seed S]`: what CI cannot afford to rerun whole, checked by sample. N cells
/// drawn at random (seeded) from the matrix, and N points of each of its studies, are computed afresh, from the cached or
/// retrained model, into a scratch folder (the results folder's own records are neither read as results nor replaced),
/// and set against the committed baseline bit for bit: every metric of a cell against this CPU class's
/// NAME-cells.CLASS.verified.csv, every ground truth a point's probes give against the committed points.csv. Any value that
/// differs is named; the audit fails if one does.
/// </summary>
public static class Audit
{
    /// <summary>One audited cell or study point: its id, the seconds it took, and the differences (none when it matches).</summary>
    public sealed record Finding(string Id, double Seconds, List<string> Differences)
    {
        public bool Matches => Differences.Count == 0;
    }

    /// <summary>
    /// The first <paramref name="n"/> of <paramref name="ids"/> in the order of SHA-256(seed/id): a draw that depends on the
    /// seed and the ids only, so every machine audits the same ones.
    /// </summary>
    public static List<string> Draw(IEnumerable<string> ids, int n, int seed) =>
        ids.Select(id => (Id: id, Key: Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{id}")))))
            .OrderBy(x => x.Key, StringComparer.Ordinal).Take(n).Select(x => x.Id).ToList();

    /// <summary>Audits the matrix's cells and its studies' points; says each finding as it comes. Throws when one differs.</summary>
    /// <param name="startPopulationWorker">starts population worker i of n (as `harness run` does), so a population the
    /// audit must train first (a fresh machine) trains in the matrix's workers; null: in this process.</param>
    public static List<Finding> Run(ExperimentsFile file, MatrixSpec matrix, string resultsRoot, int n, int seed, Action<string> say, Action<string> log,
        Func<int, int, System.Diagnostics.Process>? startPopulationWorker = null)
    {
        if (n < 1) throw new HarnessException("--audit: give the number of cells to recompute (1 or more).");
        var layout = new ResultsLayout(resultsRoot);
        var baseline = OwnBaseline(layout.Dir(matrix.Name), Verification.Stem(matrix.Name), $"matrix '{matrix.Name}'");
        var verified = MatrixTable.ReadCsv(baseline).ToDictionary(r => r.Cell);
        var cells = Matrices.Cells(matrix).Where(c => verified.ContainsKey(c.Id)).ToDictionary(c => c.Id);
        if (cells.Count == 0) throw new VerificationFailedException($"{baseline}: none of matrix '{matrix.Name}''s cells is in it.");
        var drawn = Draw(cells.Keys, n, seed);
        say($"audit of matrix '{matrix.Name}' against {baseline}: {drawn.Count} of its {cells.Count} cells, drawn with seed {seed}");

        string scratch = Directory.CreateTempSubdirectory("harness-audit-").FullName;
        var findings = new List<Finding>();
        try
        {
            var runner = new MatrixRunner(file, matrix, resultsRoot, log: log) { StartPopulationWorker = startPopulationWorker };
            foreach (var (id, k) in drawn.Select((id, k) => (id, k)))
            {
                var watch = Stopwatch.StartNew();
                var result = runner.Recompute(cells[id], Path.Combine(scratch, $"cell-{k}.json"));
                string csv = Path.Combine(scratch, $"cell-{k}.csv");
                File.WriteAllText(csv, MatrixTable.ToCsv([result]));
                var finding = new Finding(id, watch.Elapsed.TotalSeconds, CompareCell(verified[id], MatrixTable.ReadCsv(csv)[0]));
                findings.Add(finding);
                say(Line($"cell {k + 1}/{drawn.Count}", finding));
            }
            foreach (var study in file.StudiesOf(matrix.Name))
                findings.AddRange(AuditStudy(file, study, resultsRoot, n, seed, scratch, say, log));
        }
        finally { Directory.Delete(scratch, recursive: true); }

        var differing = findings.Where(f => !f.Matches).ToList();
        say(string.Create(CultureInfo.InvariantCulture,
            $"audit: {findings.Count - differing.Count} of {findings.Count} recomputed bit for bit ({findings.Sum(f => f.Seconds):F0} s)"));
        if (differing.Count > 0)
            throw new VerificationFailedException($"audit of matrix '{matrix.Name}': {differing.Count} of {findings.Count} differ from the committed baseline: " +
                string.Join("; ", differing.Select(f => $"{f.Id} ({f.Differences[0]}{(f.Differences.Count > 1 ? $", and {f.Differences.Count - 1} more" : "")})")) +
                ". The committed numbers are not what this code computes: find the change that moved them, or regenerate the baseline with `--why`.");
        return findings;
    }

    static List<Finding> AuditStudy(ExperimentsFile file, StudySpec study, string resultsRoot, int n, int seed, string scratch, Action<string> say, Action<string> log)
    {
        var runner = new StudyRunner(file, study, resultsRoot, log: log);
        var points = runner.Files.Points;
        if (!File.Exists(points)) throw new VerificationFailedException($"{points}: study '{study.Name}' has no committed points to audit; run `harness study --study {study.Name}` first.");
        var committed = ReadPoints(points);
        var drawn = Draw(committed.Keys.Select(i => i.ToString(CultureInfo.InvariantCulture)), n, seed).Select(int.Parse).ToList();
        say($"audit of study '{study.Name}' against {points}: {drawn.Count} of its {committed.Count} points, drawn with seed {seed}");
        var findings = new List<Finding>();
        var dir = Directory.CreateDirectory(Path.Combine(scratch, study.Name)).FullName;
        var watch = Stopwatch.StartNew();
        int k = 0;
        foreach (var point in runner.Recompute(drawn, dir))
        {
            var diffs = new List<string>();
            foreach (var (column, value) in runner.ProbeTruths(point))
            {
                if (!committed[point.Index].TryGetValue(column, out var expected)) { diffs.Add($"{column}: not in points.csv"); continue; }
                if (!Same(expected, value)) diffs.Add(Value(column, expected, value));
            }
            var finding = new Finding($"{study.Name}/{point.Index}", watch.Elapsed.TotalSeconds, diffs);
            findings.Add(finding);
            say(Line($"point {++k}/{drawn.Count}", finding));
            watch.Restart();
        }
        return findings;
    }

    /// <summary>This CPU class's committed baseline; the audit compares bit for bit, so another class's cannot stand in.</summary>
    static string OwnBaseline(string dir, string stem, string what)
    {
        var all = Baselines.All(dir, stem);
        var own = all.FirstOrDefault(b => b.Class == NumericsClass.Current);
        if (own.Path != null) return own.Path;
        if (all.Count == 0) throw new VerificationFailedException($"{Baselines.PathOf(dir, stem)}: {what} has no verified baseline to audit against.");
        throw new NoBaselineForClassException($"{what}: not audited: no baseline for this machine's numerics class {NumericsClass.Current} ({Harness.Util.Machine.Describe()}); " +
            $"the committed ones are for {string.Join(", ", all.Select(b => b.Class))}, and results differ between CPU classes in their last bits (README, \"CPU numerics\").");
    }

    /// <summary>Keys and every compared metric (not `seconds`), bit for bit; NaN matches NaN.</summary>
    static List<string> CompareCell(MatrixTable.Row verified, MatrixTable.Row recomputed)
    {
        var diffs = new List<string>();
        for (int k = 0; k < verified.Keys.Length; k++)
            if (verified.Keys[k] != recomputed.Keys[k]) diffs.Add($"{MatrixTable.Columns[k + 1]}: baseline {verified.Keys[k]}, recomputed {recomputed.Keys[k]}");
        foreach (var column in MatrixTable.Metrics.Where(c => c != "seconds"))
            if (!Same(verified.Values[column], recomputed.Values[column])) diffs.Add(Value(column, verified.Values[column], recomputed.Values[column]));
        return diffs;
    }

    static bool Same(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b) || (double.IsNaN(a) && double.IsNaN(b));

    static string Value(string column, double baseline, double recomputed) =>
        string.Create(CultureInfo.InvariantCulture, $"{column}: baseline {baseline:R}, recomputed {recomputed:R}");

    static string Line(string what, Finding f) => string.Create(CultureInfo.InvariantCulture,
        $"  {what} {f.Id}: {(f.Matches ? "identical" : $"DIFFERS in {f.Differences.Count} value(s): {string.Join("; ", f.Differences)}")} ({f.Seconds:F1} s)");

    /// <summary>points.csv by point index: every numeric column by name (one seed; a study of several seeds repeats a point's values).</summary>
    static Dictionary<int, Dictionary<string, double>> ReadPoints(string path)
    {
        var (header, rows) = StudyTables.Read(path);
        int index = Array.IndexOf(header, "index");
        if (index < 0) throw new VerificationFailedException($"{path}: no `index` column.");
        var points = new Dictionary<int, Dictionary<string, double>>();
        foreach (var f in rows)
        {
            if (f.Length != header.Length) throw new VerificationFailedException($"{path}: a row has {f.Length} fields, the header {header.Length}.");
            points.TryAdd(int.Parse(f[index], CultureInfo.InvariantCulture), header.Select((h, c) => (h, c)).Where(x => x.c != index)
                .ToDictionary(x => x.h, x => double.Parse(f[x.c], NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
        return points;
    }
}
