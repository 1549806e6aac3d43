using System.Globalization;
using System.Text;
using Harness.Scoring.Scorers;

namespace Harness.Scoring;

/// <summary>
/// Every per-point quantity of one scoring run: the rows of scores.csv. Index is the position in the training set D_t;
/// Predicted is the original model's class (a point is correctly classified when it equals Label).
/// </summary>
public sealed record PointScores(int[] Index, long[] Label, long[] Predicted, double[] Pc, double[] Entropy, double[] Mksd, double[] LogMsksd, double[] Ssn, double[] LogEmsksd)
{
    public int Count => Index.Length;

    public static readonly string[] Columns = { "index", "label", "predicted", "pc", "entropy", "mksd", "log_msksd", "ssn", "log_emsksd" };

    public bool Correct(int i) => Predicted[i] == Label[i];

    /// <summary>Whether point i is ranked under the candidate rule (METHOD.md §1 "Which points are candidates").</summary>
    public bool IsCandidate(int i, Candidates candidates) => candidates == Candidates.All || Correct(i);

    public int CandidateCount(Candidates candidates) => Enumerable.Range(0, Count).Count(i => IsCandidate(i, candidates));

    public static PointScores From(long[] labels, SteinScoreResult stein, double[] ssn, KernelStatistics kernel)
    {
        int n = labels.Length;
        var logE = new double[n];
        for (int i = 0; i < n; i++) logE[i] = kernel.LogMsksd[i] - Math.Log(Math.Max(stein.Entropy[i], 1e-12));
        var p = new PointScores(Enumerable.Range(0, n).ToArray(), labels, stein.Predicted, stein.Pc, stein.Entropy, kernel.Mksd, kernel.LogMsksd, ssn, logE);
        p.CheckFinite();
        return p;
    }

    /// <summary>A NaN or infinity in any score is an error, never a row in the table.</summary>
    public void CheckFinite()
    {
        foreach (var (name, v) in new[] { ("pc", Pc), ("entropy", Entropy), ("mksd", Mksd), ("log_msksd", LogMsksd), ("ssn", Ssn), ("log_emsksd", LogEmsksd) })
        {
            int bad = Array.FindIndex(v, x => !double.IsFinite(x));
            if (bad >= 0) throw new HarnessException($"score {name} of training point {bad} is {v[bad]}; no scores were written. Check the model (diverged training?) and the scoring options.");
        }
    }

    /// <summary>The table, with rank_* columns over the candidates (1 = hardest; empty for a point that is not one).</summary>
    public string ToCsv(Candidates candidates = Candidates.All)
    {
        var scorers = ScorerRegistry.Scorers;
        var ranks = scorers.Select(s => ScorerRegistry.HardnessRanks(s, this, candidates)).ToArray();
        var sb = new StringBuilder();
        sb.Append(string.Join(",", Columns.Concat(scorers.Select(s => "rank_" + s.Name)))).Append('\n');
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < Count; i++)
        {
            sb.Append(Index[i].ToString(inv)).Append(',').Append(Label[i].ToString(inv)).Append(',').Append(Predicted[i].ToString(inv));
            foreach (var v in new[] { Pc[i], Entropy[i], Mksd[i], LogMsksd[i], Ssn[i], LogEmsksd[i] })
                sb.Append(',').Append(v.ToString("R", inv));
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
        if (!Columns.SequenceEqual(header.Take(Columns.Length)))
            throw new HarnessException($"{path}: header does not start with {string.Join(",", Columns)}.");
        int n = lines.Count - 1;
        var idx = new int[n]; var lab = new long[n]; var pred = new long[n];
        var cols = Enumerable.Range(0, 6).Select(_ => new double[n]).ToArray();
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split(',');
            try
            {
                idx[i] = int.Parse(f[0], inv); lab[i] = long.Parse(f[1], inv); pred[i] = long.Parse(f[2], inv);
                for (int c = 0; c < 6; c++) cols[c][i] = double.Parse(f[3 + c], NumberStyles.Float, inv);
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
            {
                throw new HarnessException($"{path}:{i + 2}: malformed row ({e.Message}).");
            }
        }
        return new PointScores(idx, lab, pred, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]);
    }
}
