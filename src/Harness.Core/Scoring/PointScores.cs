using System.Globalization;
using System.Text;
using Harness.Scoring.Scorers;

namespace Harness.Scoring;

/// <summary>Every per-point quantity of one scoring run: the rows of scores.csv. Index is the position in the training set D_t.</summary>
public sealed record PointScores(int[] Index, long[] Label, double[] Pc, double[] Entropy, double[] Mksd, double[] LogMsksd, double[] Ssn, double[] LogEmsksd)
{
    public int Count => Index.Length;

    public static readonly string[] Columns = { "index", "label", "pc", "entropy", "mksd", "log_msksd", "ssn", "log_emsksd" };

    public static PointScores From(long[] labels, SteinScoreResult stein, double[] ssn, KernelStatistics kernel)
    {
        int n = labels.Length;
        var logE = new double[n];
        for (int i = 0; i < n; i++) logE[i] = kernel.LogMsksd[i] - Math.Log(Math.Max(stein.Entropy[i], 1e-12));
        var p = new PointScores(Enumerable.Range(0, n).ToArray(), labels, stein.Pc, stein.Entropy, kernel.Mksd, kernel.LogMsksd, ssn, logE);
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

    public string ToCsv()
    {
        var scorers = ScorerRegistry.Scorers;
        var ranks = scorers.Select(s => ScorerRegistry.HardnessRanks(s, this)).ToArray();
        var sb = new StringBuilder();
        sb.Append(string.Join(",", Columns.Concat(scorers.Select(s => "rank_" + s.Name)))).Append('\n');
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < Count; i++)
        {
            sb.Append(Index[i].ToString(inv)).Append(',').Append(Label[i].ToString(inv));
            foreach (var v in new[] { Pc[i], Entropy[i], Mksd[i], LogMsksd[i], Ssn[i], LogEmsksd[i] })
                sb.Append(',').Append(v.ToString("R", inv));
            foreach (var r in ranks) sb.Append(',').Append(r[i].ToString(inv));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static PointScores ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new HarnessException($"{path}: scores file not found; run `harness score` first.");
        var lines = File.ReadAllLines(path);
        var header = lines.Length > 0 ? lines[0].Split(',') : Array.Empty<string>();
        if (!Columns.SequenceEqual(header.Take(Columns.Length)))
            throw new HarnessException($"{path}: header does not start with {string.Join(",", Columns)}.");
        int n = lines.Length - 1;
        var idx = new int[n]; var lab = new long[n];
        var cols = Enumerable.Range(0, 6).Select(_ => new double[n]).ToArray();
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < n; i++)
        {
            var f = lines[i + 1].Split(',');
            try
            {
                idx[i] = int.Parse(f[0], inv); lab[i] = long.Parse(f[1], inv);
                for (int c = 0; c < 6; c++) cols[c][i] = double.Parse(f[2 + c], NumberStyles.Float, inv);
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
            {
                throw new HarnessException($"{path}:{i + 2}: malformed row ({e.Message}).");
            }
        }
        return new PointScores(idx, lab, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]);
    }
}
