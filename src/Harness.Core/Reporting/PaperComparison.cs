using System.Globalization;
using System.Text;
using Harness.Experiments;
using Harness.Jobs;

namespace Harness.Reporting;

/// <summary>
/// One value of the paper's Tables 1–3 against one kernel's cells: the range of our points (min to max), whether it
/// reaches the paper's printed value, and the same for a model on which unlearning does nothing (the original model
/// measured on the same forget sets and test set).
/// </summary>
public sealed record Comparison(TableEntry Entry, Spread DoNothing, bool OursContain, bool? DoNothingContains);

/// <summary>
/// The comparison with the paper that doing nothing can fail: each paper value once per kernel, our interval over the
/// points of a side and whether it contains the paper's value, and the same for a do-nothing model beside it. A table
/// agrees with the paper beyond what doing nothing gives only when our intervals contain more of its values than the
/// do-nothing model's do, counted on the entries where both are measured.
/// </summary>
public static class PaperComparison
{
    /// <summary>The paper prints two decimals: its value v stands for [v − 0.005, v + 0.005].</summary>
    public const double Printed = 0.005;

    /// <summary>Whether the range of <paramref name="s"/> (min to max) meets the interval the paper's printed value stands for.</summary>
    public static bool Contains(Spread s, double paper) => s.N > 0 && paper + Printed >= s.Min && paper - Printed <= s.Max;

    /// <summary>
    /// What a model on which unlearning does nothing gives on a cell's metric: the original model's forget accuracy and loss
    /// on the cell's forget set (recorded in every cell), no drop, and the original's test accuracy and loss; NaN for the
    /// MIA and LiRA entries, which were not measured on the original.
    /// </summary>
    public static double DoNothing(CellResult c, string metric, TrainReport? original) => metric switch
    {
        "forget_acc" => c.OriginalForgetAcc,
        "forget_acc_drop" => 0,
        "forget_loss" => c.OriginalForgetLoss,
        "test_acc" => original?.TestAccuracy ?? double.NaN,
        "test_loss" => original?.TestLoss ?? double.NaN,
        _ => double.NaN,
    };

    public static List<Comparison> Build(MatrixSpec m, IReadOnlyList<CellResult> cells, IReadOnlyList<TableEntry> entries, IReadOnlyDictionary<string, TrainReport> originals)
    {
        int k = PaperTables.Expansion(m);
        var list = new List<Comparison>();
        foreach (var e in entries.Where(e => e.Paper != null && e.Ours.N > 0))
        {
            var same = cells.Where(c => c.Dataset == e.Dataset && c.Kernel == e.Kernel && c.Scorer == e.Scorer && c.Unlearner == e.Unlearner && c.Side == e.Side && c.Expansion == k);
            var nothing = Spread.Of(same.Select(c => DoNothing(c, e.Metric, originals.GetValueOrDefault(e.Dataset))));
            list.Add(new Comparison(e, nothing, Contains(e.Ours, e.Paper!.Value), nothing.N > 0 ? Contains(nothing, e.Paper.Value) : null));
        }
        return list;
    }

    /// <summary>Per table and kernel: how many paper values our intervals and the do-nothing model's contain, and the verdict.</summary>
    public static string Tally(IReadOnlyList<Comparison> rows, int table)
    {
        var sb = new StringBuilder();
        foreach (var g in rows.Where(r => r.Entry.Table == table).GroupBy(r => (r.Entry.Dataset, r.Entry.Kernel)))
        {
            var both = g.Where(r => r.DoNothingContains != null).ToList();
            int ours = both.Count(r => r.OursContain), nothing = both.Count(r => r.DoNothingContains == true);
            var only = g.Where(r => r.DoNothingContains == null).ToList();
            if (both.Count == 0)
            {
                sb.Append(string.Create(CultureInfo.InvariantCulture, $"- {g.Key.Dataset}, kernel `{g.Key.Kernel}`: our intervals contain {only.Count(r => r.OursContain)} of {only.Count} paper values; none was measured on the original, so there is no do-nothing comparison and no verdict.\n"));
                continue;
            }
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"- {g.Key.Dataset}, kernel `{g.Key.Kernel}`: our intervals contain {ours} of {both.Count} paper values, a model on which unlearning does nothing {nothing} of {both.Count}: "));
            sb.Append(ours > nothing ? "**agrees beyond what doing nothing gives**" : "**does not agree beyond what doing nothing gives**");
            if (only.Count > 0) sb.Append(string.Create(CultureInfo.InvariantCulture, $"; {only.Count(r => r.OursContain)} of {only.Count} more (not measured on the original, so not in the verdict)"));
            sb.Append(".\n");
        }
        return sb.ToString();
    }

    /// <summary>A row's two cells: our interval and whether it contains the paper's value; the do-nothing model's.</summary>
    public static (string Ours, string DoNothing) Cells(Comparison r)
    {
        var inv = CultureInfo.InvariantCulture;
        string Range(Spread s) => s.N == 0 ? "–" : s.Min == s.Max ? s.Min.ToString("F2", inv) : string.Create(inv, $"{s.Min:F2} – {s.Max:F2}");
        return ($"{Range(r.Entry.Ours)} {(r.OursContain ? "✓" : "✗")}", r.DoNothingContains is bool d ? $"{Range(r.DoNothing)} {(d ? "✓" : "✗")}" : "not measured");
    }
}
