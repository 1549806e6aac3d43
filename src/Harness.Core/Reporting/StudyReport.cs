using Harness.Experiments;
using System.Globalization;
using System.Text;
using Harness.Scoring.Scorers;
using Harness.Study;

namespace Harness.Reporting;

/// <summary>
/// The study section of a matrix's REPORT.md, written from the study's summary.csv and redundancy.csv: which scores predict
/// which ground truth (ρ with its interval), whether any KSD score beats loss or confidence, and what that says of the headline.
/// </summary>
public static class StudyReport
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly string[] Ksd = { "mksd", "msksd", "ssn", "emsksd" };
    static readonly string[] Baselines = { "pc", "loss" };

    /// <summary>The rows of summary.csv that speak for the study: the only seed's, or the mean rows with several seeds.</summary>
    public static List<SummaryRow> ReadSummary(string path)
    {
        var (h, lines) = StudyTables.Read(path);
        int C(string name) => Array.IndexOf(h, name);
        double D(string v) => double.Parse(v, NumberStyles.Float, Inv);
        var rows = new List<SummaryRow>();
        foreach (var f in lines)
        {
            if (C("seed") >= 0 && f[C("seed")] != "mean") continue;
            rows.Add(new SummaryRow(null, f[C("scorer")], f[C("hard_end")], f[C("ground_truth")], int.Parse(f[C("n")], Inv), D(f[C("spearman")]), D(f[C("ci_low")]), D(f[C("ci_high")]), D(f[C("auroc")])));
        }
        return rows;
    }

    /// <summary>The interval of |ρ|: [low, high] for a positive estimate, [−high, −low] for a negative one.</summary>
    static (double Low, double High) Magnitude(SummaryRow r) => r.Spearman >= 0 ? (r.CiLow, r.CiHigh) : (-r.CiHigh, -r.CiLow);

    static double? RedundancyOf(string path, string a, string b)
    {
        if (!File.Exists(path)) return null;
        var (h, rows) = StudyTables.Read(path);
        int ia = Array.IndexOf(h, a), ib = Array.IndexOf(h, b);
        return ia < 1 || ib < 1 ? null : double.Parse(rows[ia - 1][ib], NumberStyles.Float, Inv);
    }

    static string Rho(SummaryRow r) => string.Create(Inv, $"ρ = {r.Spearman:+0.00;−0.00} [{r.CiLow:+0.00;−0.00}, {r.CiHigh:+0.00;−0.00}]");
    static string Name(string s) => ScorerRegistry.Get(s).Display;

    /// <summary>
    /// Per ground truth, the KSD score with the largest |ρ| against the better of PC and loss; it beats the baseline when its
    /// interval of |ρ| lies wholly above the baseline's |ρ| and the baseline's interval wholly below its |ρ|. Null where either is undefined.
    /// </summary>
    static (SummaryRow Ksd, SummaryRow Baseline, bool Beats)? Contest(List<SummaryRow> rows, string groundTruth)
    {
        var k = rows.Where(r => r.GroundTruth == groundTruth && Ksd.Contains(r.Scorer) && !double.IsNaN(r.Spearman)).OrderByDescending(r => Math.Abs(r.Spearman)).FirstOrDefault();
        var b = rows.Where(r => r.GroundTruth == groundTruth && Baselines.Contains(r.Scorer) && !double.IsNaN(r.Spearman)).OrderByDescending(r => Math.Abs(r.Spearman)).FirstOrDefault();
        if (k == null || b == null) return null;
        var (kLow, _) = Magnitude(k); var (_, bHigh) = Magnitude(b);
        return (k, b, kLow > Math.Abs(b.Spearman) && bHigh < Math.Abs(k.Spearman));
    }

    static string Verdict(SummaryRow k, SummaryRow b, bool beats) =>
        beats ? "**beats it**" : Math.Abs(k.Spearman) <= Math.Abs(b.Spearman) ? "no (|ρ| not above the baseline's)" : "not distinguishable (intervals overlap)";

    /// <summary>
    /// The study beside the other studies of the experiments file that share its ground truths (another data set's, say):
    /// per ground truth and score (the KSD scores, PC and loss), ρ with its interval on each; then, per ground truth, whether a
    /// KSD score beats confidence or loss on each, and whether the answer to "does any KSD score beat confidence?" changes.
    /// Empty where no other study has a summary yet.
    /// </summary>
    public static string Comparison(StudySpec study, Runs.StudyFiles files, IEnumerable<(StudySpec Study, Runs.StudyFiles Files)> others)
    {
        if (!File.Exists(files.Summary)) return "";
        var all = new List<(StudySpec Study, List<SummaryRow> Rows)> { (study, ReadSummary(files.Summary)) };
        all.AddRange(others.Where(o => o.Study.Name != study.Name && File.Exists(o.Files.Summary) && o.Study.GroundTruths.Intersect(study.GroundTruths).Any())
            .Select(o => (o.Study, ReadSummary(o.Files.Summary))));
        if (all.Count < 2) return "";
        var sb = new StringBuilder();
        sb.Append($"## `{study.Name}` beside {string.Join(", ", all.Skip(1).Select(a => $"`{a.Study.Name}`"))}: the same question on {string.Join(" and ", all.Select(a => a.Study.Dataset).Distinct())}\n\n");
        sb.Append("Spearman ρ of each score (oriented by its hard end) with each ground truth, percentile-bootstrap 95 % intervals, from each study's `summary.csv` ");
        sb.Append(string.Join("; ", all.Select(a => string.Create(Inv, $"`{a.Study.Name}`: {a.Rows.Select(r => r.N).DefaultIfEmpty().Max()} {SettingField.Format(a.Study.Candidates)} points of {a.Study.Dataset}, kernel `{a.Study.Kernel}`")))).Append(".\n\n");
        var truths = study.GroundTruths.Where(g => all.Skip(1).Any(a => a.Study.GroundTruths.Contains(g))).ToList();
        var scorers = Ksd.Concat(Baselines).Where(sc => all.All(a => a.Study.Scorers.Contains(sc))).ToList();
        sb.Append("| ground truth | score | " + string.Join(" | ", all.Select(a => a.Study.Dataset)) + " |\n|---|---|" + string.Concat(all.Select(_ => "---|")) + "\n");
        foreach (var g in truths)
            foreach (var sc in scorers)
                sb.Append($"| {g} | {Name(sc)} | " + string.Join(" | ", all.Select(a => a.Rows.FirstOrDefault(r => r.GroundTruth == g && r.Scorer == sc) is { } r && !double.IsNaN(r.Spearman)
                    ? string.Create(Inv, $"{r.Spearman:+0.00;−0.00} [{r.CiLow:+0.00;−0.00}, {r.CiHigh:+0.00;−0.00}]") : "–")) + " |\n");
        sb.Append("\n**Does a KSD score beat confidence or loss, data set by data set?** (the rule of the study sections: the best KSD score's interval of |ρ| wholly above the better baseline's |ρ|, and the baseline's wholly below its)\n\n");
        sb.Append("| ground truth | " + string.Join(" | ", all.Select(a => a.Study.Dataset)) + " |\n|---|" + string.Concat(all.Select(_ => "---|")) + "\n");
        var beatenOn = all.ToDictionary(a => a.Study.Name, _ => new List<string>());
        foreach (var g in truths)
        {
            sb.Append($"| {g} | ");
            sb.Append(string.Join(" | ", all.Select(a =>
            {
                if (Contest(a.Rows, g) is not var (k, b, beats)) return "–";
                if (beats) beatenOn[a.Study.Name].Add(g);
                return $"{Name(k.Scorer)} {Rho(k)} vs {Name(b.Scorer)} {Rho(b)}: {Verdict(k, b, beats)}";
            })));
            sb.Append(" |\n");
        }
        sb.Append('\n');
        var answers = all.Select(a => (a.Study, Beaten: beatenOn[a.Study.Name])).ToList();
        string Answer((StudySpec Study, List<string> Beaten) a) => a.Beaten.Count == 0
            ? $"on {a.Study.Dataset} no KSD score beats confidence or loss for any ground truth"
            : $"on {a.Study.Dataset} a KSD score beats them for {string.Join(", ", a.Beaten)}";
        bool same = answers.Select(a => a.Beaten.Count == 0).Distinct().Count() == 1;
        sb.Append($"**Does the answer change with the data set?** {(same ? "No" : "Yes")}: {string.Join("; ", answers.Select(Answer))}.\n\n");
        return sb.ToString();
    }

    public static string Section(StudySpec study, Runs.StudyFiles files, string verification)
    {
        var sb = new StringBuilder();
        sb.Append($"## Does any score predict how hard a point is to unlearn? (study `{study.Name}`)\n\n");
        var summaryPath = files.Summary;
        if (!File.Exists(summaryPath)) return sb.Append($"The study has no results yet; run `harness study --study {study.Name}`.\n\n").ToString();
        var rows = ReadSummary(summaryPath);
        int n = rows.Count > 0 ? rows.Max(r => r.N) : 0;
        sb.Append(string.Create(Inv, $"{n} {SettingField.Format(study.Candidates)} training points drawn uniformly (seed {string.Join(", ", study.Seeds)}) from the model above; "));
        sb.Append($"the KSD scores are those of the `{study.Kernel}` kernel. Every score is oriented by its declared hard end, so ρ > 0 means its hard end does go with harder points; ");
        sb.Append(string.Create(Inv, $"intervals are percentile-bootstrap 95 % ({study.Bootstrap} resamples). Ground truths (docs/method.md): "));
        sb.Append(string.Join(", ", GroundTruthRegistry.All.Where(g => study.GroundTruths.Contains(g.Name)).Select(g => g.Describe(study.Probes))));
        sb.Append($". Full table: [`{study.Name}-summary-github.md`](../{study.Name}/{study.Name}-summary-github.md); ");
        sb.Append($"verification: {verification}.\n\n![Forest plot of study {study.Name}](../{study.Name}/{study.Name}-forest.png)\n\n");

        foreach (var g in study.GroundTruths)
        {
            var mine = rows.Where(r => r.GroundTruth == g && !double.IsNaN(r.Spearman)).OrderByDescending(r => r.Spearman).ToList();
            if (mine.Count == 0) { sb.Append($"- **{g}**: undefined for every score (the ground truth is constant on these points).\n"); continue; }
            var predict = mine.Where(r => r.CiLow > 0).ToList();
            var against = mine.Where(r => r.CiHigh < 0).ToList();
            sb.Append($"- **{g}**: ");
            sb.Append(predict.Count == 0 ? "no score's interval lies above 0" : "predicted (interval above 0) by " + string.Join(", ", predict.Select(r => $"{Name(r.Scorer)} ({Rho(r)})")));
            if (against.Count > 0) sb.Append("; reversed (interval below 0: the declared hard end is the easy end here) for " + string.Join(", ", against.Select(r => $"{Name(r.Scorer)} ({Rho(r)})")));
            sb.Append(".\n");
        }
        sb.Append('\n');

        sb.Append("**Does a KSD score beat loss or confidence?** Per ground truth, the KSD score (MKSD, MSKSD, SSN, EMSKSD) with the largest |ρ| ");
        sb.Append("against the better of PC and loss by |ρ| (a predictor whose declared hard end is reversed still predicts, read the other way); ");
        sb.Append("\"beats\" needs its interval of |ρ| to lie wholly above the baseline's |ρ|, and the baseline's interval wholly below its |ρ|.\n\n");
        bool any = false;
        var beaten = new List<string>();
        foreach (var g in study.GroundTruths)
        {
            if (Contest(rows, g) is not var (k, b, beats)) continue;
            if (beats) { any = true; beaten.Add(g); }
            sb.Append($"- {g}: {Name(k.Scorer)} {Rho(k)} vs {Name(b.Scorer)} {Rho(b)}: {Verdict(k, b, beats)}.\n");
        }
        sb.Append('\n');
        var redundancy = files.Redundancy;
        if (File.Exists(redundancy))
        {
            var (h, matrix) = StudyTables.Read(redundancy);
            var names = h.Skip(1).ToArray();
            var pairs = new List<string>();
            for (int a = 0; a < names.Length; a++)
            {
                var f = matrix[a];
                for (int c = a + 1; c < names.Length; c++)
                {
                    double v = double.Parse(f[c + 1], NumberStyles.Float, Inv);
                    if (Math.Abs(v) >= 0.95 && (Ksd.Contains(names[a]) || Ksd.Contains(names[c]))) pairs.Add(string.Create(Inv, $"{Name(names[a])} ~ {Name(names[c])} ({v:+0.00;−0.00})"));
                }
            }
            sb.Append("**Rank-equivalent scores** (|Spearman| ≥ 0.95 between raw values on these points, involving a KSD score): ")
              .Append(pairs.Count == 0 ? "none" : string.Join(", ", pairs)).Append(". A KSD score rank-equivalent to confidence or loss adds nothing to them, whatever its ρ.\n\n");
        }
        sb.Append("**What this says about the paper's headline.** ");
        var em = rows.Where(r => r.Scorer == "emsksd").ToList();
        if (em.Count > 0)
            sb.Append("EMSKSD, the paper's recommended score: " + string.Join("; ", em.Select(r => $"{r.GroundTruth} {Rho(r)}")) + ". ");
        var pcEm = RedundancyOf(files.Redundancy, "pc", "emsksd");
        if (pcEm is double r) sb.Append(string.Create(Inv, $"Between raw values EMSKSD and PC have ρ = {r:+0.00;−0.00} on these points. "));
        sb.Append(any
            ? $"A KSD score predicts {string.Join(", ", beaten)} better than the model's own confidence or loss, which the paper's five-point tables could not show; for the other ground truths it does not."
            : "No KSD score predicts any ground truth better than the model's own confidence or loss. The paper's headline (EMSKSD's hard points resist GradAscent, its easy ones do not) holds here only as far as EMSKSD restates how confident the model is, which PC and loss measure directly.");
        sb.Append("\n\n");
        return sb.ToString();
    }
}
