using System.Globalization;
using System.Text;
using Harness.Scoring.Scorers;

namespace Harness.Scoring;

/// <summary>
/// The per-point table of one scoring run (the rows of scores.csv): index in the training set D_t, label, the original
/// model's predicted class (a point is correctly classified when it equals Label), and the value of every registered scorer
/// whose inputs the run had, keyed by scorer name, in registry order.
/// </summary>
public sealed class PointScores
{
    public PointScores(int[] index, long[] label, long[] predicted, IReadOnlyDictionary<string, double[]> values)
    {
        Index = index; Label = label; Predicted = predicted;
        foreach (var (name, v) in values)
            if (v.Length != index.Length) throw new ArgumentException($"scorer {name} has {v.Length} values for {index.Length} points");
        // Registry order, whatever order the caller gave.
        this.values = ScorerRegistry.Scorers.Where(s => values.ContainsKey(s.Name)).ToDictionary(s => s.Name, s => values[s.Name]);
    }

    readonly Dictionary<string, double[]> values;

    public int[] Index { get; }
    public long[] Label { get; }
    public long[] Predicted { get; }
    public int Count => Index.Length;

    /// <summary>The scorers this table has a value for, in registry order.</summary>
    public IEnumerable<IScorer> Scorers => ScorerRegistry.Scorers.Where(s => values.ContainsKey(s.Name));

    public bool Has(string scorer) => values.ContainsKey(scorer);

    public double[] Values(IScorer scorer) => values.TryGetValue(scorer.Name, out var v) ? v
        : throw new HarnessException($"these scores have no '{scorer.Name}' values (they have {string.Join(", ", values.Keys)}); the run that made them lacked its inputs.");

    public double[] Values(string scorer) => Values(ScorerRegistry.Get(scorer));

    public static readonly string[] KeyColumns = { "index", "label", "predicted" };

    public bool Correct(int i) => Predicted[i] == Label[i];

    /// <summary>Whether point i is ranked under the candidate rule (docs/method.md, "Candidates").</summary>
    public bool IsCandidate(int i, Candidates candidates) => candidates == Candidates.All || Correct(i);

    public int CandidateCount(Candidates candidates) => Enumerable.Range(0, Count).Count(i => IsCandidate(i, candidates));

    /// <summary>Every registered scorer's value from the shared quantities (those whose inputs are present).</summary>
    public static PointScores From(PointQuantities q)
    {
        var v = new Dictionary<string, double[]>();
        foreach (var s in ScorerRegistry.Scorers)
            if (s.Compute(q) is { } values) v[s.Name] = values;
        var p = new PointScores(q.Index, q.Label, q.Predicted, v);
        p.CheckFinite();
        return p;
    }

    /// <summary>A NaN or infinity in any score is an error, never a row in the table.</summary>
    public void CheckFinite()
    {
        foreach (var (name, v) in values)
        {
            int bad = Array.FindIndex(v, x => !double.IsFinite(x));
            if (bad >= 0) throw new HarnessException($"score {name} of training point {Index[bad]} is {v[bad]}; no scores were written. Check the model (diverged training?) and the scoring options.");
        }
    }

    /// <summary>The table, with rank_* columns over the candidates (1 = hardest; empty for a point that is not one).</summary>
    public string ToCsv(Candidates candidates = Candidates.All)
    {
        var scorers = Scorers.ToList();
        var ranks = scorers.Select(s => ScorerRegistry.HardnessRanks(s, this, candidates)).ToArray();
        var sb = new StringBuilder();
        sb.Append(string.Join(",", KeyColumns.Concat(scorers.Select(s => s.Name)).Concat(scorers.Select(s => "rank_" + s.Name)))).Append('\n');
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < Count; i++)
        {
            sb.Append(Index[i].ToString(inv)).Append(',').Append(Label[i].ToString(inv)).Append(',').Append(Predicted[i].ToString(inv));
            foreach (var s in scorers) sb.Append(',').Append(values[s.Name][i].ToString("R", inv));
            foreach (var r in ranks) sb.Append(',').Append(r[i] > 0 ? r[i].ToString(inv) : "");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static PointScores ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new HarnessException($"{path}: scores file not found; run `harness score` first.");
        return ReadCsvText(File.ReadAllText(path), path);
    }

    public static PointScores ReadCsvText(string text, string path = "scores.csv")
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        var header = lines.Count > 0 ? lines[0].Split(',') : Array.Empty<string>();
        if (!KeyColumns.SequenceEqual(header.Take(KeyColumns.Length)))
            throw new HarnessException($"{path}: header does not start with {string.Join(",", KeyColumns)}.");
        var scoreColumns = new List<(int Column, string Name)>();
        for (int c = KeyColumns.Length; c < header.Length; c++)
        {
            if (header[c].StartsWith("rank_", StringComparison.Ordinal)) continue;
            if (!ScorerRegistry.Names.Contains(header[c]))
                throw new HarnessException($"{path}: column '{header[c]}' is not a registered scorer ({string.Join(", ", ScorerRegistry.Names)}); the file was made by another version, rerun `harness score`.");
            scoreColumns.Add((c, header[c]));
        }
        int n = lines.Count - 1;
        var idx = new int[n]; var lab = new long[n]; var pred = new long[n];
        var cols = scoreColumns.Select(_ => new double[n]).ToArray();
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split(',');
            try
            {
                if (f.Length != header.Length) throw new FormatException($"{f.Length} fields, the header has {header.Length}");
                idx[i] = int.Parse(f[0], inv); lab[i] = long.Parse(f[1], inv); pred[i] = long.Parse(f[2], inv);
                for (int c = 0; c < cols.Length; c++) cols[c][i] = double.Parse(f[scoreColumns[c].Column], NumberStyles.Float, inv);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new HarnessException($"{path}:{i + 2}: malformed row ({e.Message}).");
            }
        }
        return new PointScores(idx, lab, pred, scoreColumns.Select((s, c) => (s.Name, cols[c])).ToDictionary(x => x.Name, x => x.Item2));
    }
}
