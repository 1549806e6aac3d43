using System.Globalization;
using System.Text;
using Harness.Experiments;

namespace Harness.Reporting;

/// <summary>One entry of Table 1, 2 or 3 for one kernel profile: our spread over points and seeds, and the paper's number where it reports one.</summary>
public sealed record TableEntry(int Table, string Dataset, string Kernel, string Scorer, string Unlearner, string Side, string Part, string Metric, Spread Ours, double? Paper);

/// <summary>
/// The paper's Tables 1 (accuracy), 2 (loss) and 3 (MIA-efficacy), easy vs hard per scorer and unlearner, from the merged
/// cells of the smallest expansion (k = 0 where the matrix has it, as in the paper).
/// </summary>
public static class PaperTables
{
    public static readonly Dictionary<int, string> Titles = new()
    {
        [1] = "Table 1: accuracy of the forget set after unlearning, its drop from the original model, and the test accuracy (forget: lower is better; drop: higher is better; test: higher is better)",
        [2] = "Table 2: mean loss of the forget set and the test set after unlearning (forget: higher is better; test: lower is better)",
        [3] = "Table 3: MIA-efficacy on the forget set (higher is better forgetting), the attack's balanced accuracy on its own shadow sets, and, where the matrix has a population, the per-example evidence: the share of targets LiRA calls members at the population's 1 % FPR threshold before and after unlearning, and the target's one-sided p-value under its out distribution after (near 0: still unlike a model that never saw it)",
    };


    public static int Expansion(MatrixSpec m) => m.Expansions.Min();

    /// <summary>Below this balanced accuracy on its own shadow sets the attack is no better than chance, and its efficacy says nothing.</summary>
    public const double WeakAttack = 0.55;

    /// <summary>The shadow balanced accuracy behind an MIA-efficacy entry of Table 3, when it is below <see cref="WeakAttack"/>.</summary>
    public static double? WeakAttackOf(IReadOnlyList<TableEntry> entries, TableEntry e) =>
        e.Table == 3 && e.Metric == "mia_efficacy"
        && entries.FirstOrDefault(x => x.Table == 3 && x.Metric == "mia_shadow_balanced_accuracy" && x.Dataset == e.Dataset && x.Kernel == e.Kernel && x.Scorer == e.Scorer
                                       && x.Unlearner == e.Unlearner && x.Side == e.Side) is { Ours.N: > 0 } s && s.Ours.Mean < WeakAttack
            ? s.Ours.Mean : null;

    public static List<TableEntry> Build(MatrixSpec m, IReadOnlyList<CellResult> cells)
    {
        int k = Expansion(m);
        var entries = new List<TableEntry>();
        var table3 = new List<(string, string)> { ("forget", "mia_efficacy"), ("shadow", "mia_shadow_balanced_accuracy") };
        if (m.Population != null) table3.AddRange(new[] { ("LiRA member before", "member_before"), ("LiRA member after", "member_after"), ("out p after", "p_out_after") });
        foreach (var (table, parts) in new[] { (1, new[] { ("forget", "forget_acc"), ("drop", "forget_acc_drop"), ("test", "test_acc") }), (2, new[] { ("forget", "forget_loss"), ("test", "test_loss") }), (3, table3.ToArray()) })
            foreach (var d in m.Datasets)
                foreach (var kernel in KernelLabels(m))
                    foreach (var sc in m.Scorers)
                        foreach (var (part, metric) in parts)
                            foreach (var u in m.Unlearners)
                                foreach (var side in new[] { "easy", "hard" }.Where(m.HasSide))
                                {
                                    var values = cells.Where(c => c.Dataset == d && c.Kernel == kernel && c.Scorer == sc && c.Unlearner == u && c.Side == side && c.Expansion == k)
                                        .Select(c => Metric(c, metric));
                                    entries.Add(new TableEntry(table, d, kernel, sc, u, side, part, metric, Spread.Of(values),
                                        k == 0 ? PaperValues.Lookup(table, d, sc, u, side, part) : null));
                                }
        return entries;
    }

    public static IEnumerable<string> KernelLabels(MatrixSpec m) => m.Kernels.Select(Scoring.KernelProfile.Label);

    public static double Metric(CellResult c, string metric) => metric switch
    {
        "forget_acc" => c.ForgetAcc, "forget_acc_drop" => c.ForgetAccDrop, "original_forget_acc" => c.OriginalForgetAcc, "test_acc" => c.TestAcc, "remain_acc" => c.RemainAcc,
        "forget_loss" => c.ForgetLoss, "test_loss" => c.TestLoss, "remain_loss" => c.RemainLoss,
        "mia_efficacy" => c.MiaEfficacy, "mia_shadow_balanced_accuracy" => c.MiaShadowBalancedAccuracy,
        "member_before" => c.Evidence is { } b ? (b.TargetBefore.Member ? 1 : 0) : double.NaN, "member_after" => c.Evidence is { } a ? (a.TargetAfter.Member ? 1 : 0) : double.NaN,
        "p_out_after" => c.Evidence?.TargetAfter.OutPValue ?? double.NaN, "p_out_before" => c.Evidence?.TargetBefore.OutPValue ?? double.NaN,
        _ => throw new ArgumentException(metric),
    };

    public static string Csv(IEnumerable<TableEntry> entries)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("table,dataset,kernel,scorer,unlearner,side,part,metric,n,mean,sd,min,max,paper\n");
        foreach (var e in entries)
            sb.Append(string.Join(",", e.Table.ToString(inv), e.Dataset, e.Kernel, e.Scorer, e.Unlearner, e.Side, e.Part, e.Metric, e.Ours.N.ToString(inv),
                e.Ours.Mean.ToString("R", inv), e.Ours.Sd.ToString("R", inv), e.Ours.Min.ToString("R", inv), e.Ours.Max.ToString("R", inv),
                e.Paper?.ToString("R", inv) ?? "")).Append('\n');
        return sb.ToString();
    }

    /// <summary>GitHub Markdown in the paper's layout: one row per data set and scorer, columns part × unlearner × side.</summary>
    public static string Markdown(MatrixSpec m, IReadOnlyList<TableEntry> entries, int table)
    {
        var t = entries.Where(e => e.Table == table).ToList();
        var parts = t.Select(e => e.Part).Distinct().ToList();
        var sides = new[] { "easy", "hard" }.Where(m.HasSide).ToList();
        var columns = (from p in parts from u in m.Unlearners from s in sides select (p, u, s)).ToList();
        var sb = new StringBuilder($"**{Titles[table]}.** Matrix `{m.Name}`, expansion k = {Expansion(m)}, {Config.SettingField.Format(m.Candidates)} points as candidates; " +
            $"each entry is the mean ± standard deviation over {m.Points} point(s) per side × {m.Seeds.Length} seed(s) (min and max in the CSV).\n\n");
        sb.Append("| data set | kernel | scorer | ").Append(string.Join(" | ", columns.Select(c => $"{(parts.Count > 1 ? Cap(c.p) + " " : "")}{UnlearnerName(c.u)} {c.s}"))).Append(" |\n");
        sb.Append("|---|---|---|").Append(string.Concat(columns.Select(_ => "---:|"))).Append('\n');
        foreach (var d in m.Datasets)
            foreach (var kernel in KernelLabels(m))
            foreach (var sc in m.Scorers)
            {
                sb.Append($"| {d} | {kernel} | {Name(sc)} | ");
                sb.Append(string.Join(" | ", columns.Select(c =>
                {
                    var e = t.Single(e => e.Dataset == d && e.Kernel == kernel && e.Scorer == sc && e.Part == c.p && e.Unlearner == c.u && e.Side == c.s);
                    return e.Ours.Format() + (WeakAttackOf(t, e) != null ? " †" : "");
                })));
                sb.Append(" |\n");
            }
        if (table == 1)
            sb.Append("\n`Drop` columns: the original model's forget accuracy minus the forget accuracy after unlearning. A point the original model already misclassified " +
                "has forget accuracy 0 before any unlearning and cannot drop: a low forget accuracy there says nothing about unlearning.\n");
        if (table == 3)
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"\n`Shadow` columns: the attack's balanced accuracy on its own shadow sets (members: |test| points of D_r; non-members: the test set). " +
                $"† marks efficacy where that is below {WeakAttack:F2}: the attack is no better than chance there, so its efficacy says nothing.\n"));
        return sb.ToString();
    }

    static string Cap(string s) => char.ToUpperInvariant(s[0]) + s[1..];

    public static string Name(string scorer) => Scoring.Scorers.ScorerRegistry.Get(scorer).Display;
    public static string UnlearnerName(string unlearner) => Unlearning.UnlearnerRegistry.Get(unlearner).Display;
}
