using Harness.Experiments;
using Harness.Runs;
using System.Globalization;
using System.Text;
using Harness.Data;
using Harness.Reporting;
using ScottPlot;

namespace Harness.Forget;

/// <summary>REQUEST.md and request.png of `harness forget`, drawn from its report alone.</summary>
public static class RequestReport
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>p(y|x) as REQUEST.md prints it (the test of REQUEST.md against request.json reads it back).</summary>
    public static string P(double p) => p.ToString("F4", Inv);
    static string F(double v) => v.ToString("F2", Inv);
    static string G(double v) => v.ToString("G3", Inv);

    public static string Markdown(ForgetReport r)
    {
        var sb = new StringBuilder();
        sb.Append($"# Deletion request: {r.Request.Length} record(s) of {r.Dataset} ({r.Model})\n\n");
        sb.Append($"**Verdict: {r.Outcome.Line}**\n\n");
        sb.Append($"Algorithm {r.Algorithm}, expansion {r.Expansion} (ladder {string.Join(", ", r.Ladder)}; kept k = {r.Outcome.K}, {r.Outcome.ForgetSetSize} points unlearned). ");
        sb.Append($"Target: φ = z_y − logsumexp_{{j≠y}} z_j of the population's models that never saw a record: {r.Population}; a record matches retraining when neither one-sided p-value under its out Gaussian is below α = {r.Alpha.ToString("G", Inv)} and LiRA does not call it a member. ");
        sb.Append($"Scores from {r.ScoresSource}. Unlearned model: `{ForgetJob.UnlearnedPt}` (SHA-256 {r.Unlearned.Sha256[..Math.Min(12, r.Unlearned.Sha256.Length)]}…; provenance in `{ForgetJob.UnlearnedJson}`); the original `{r.OriginalCheckpoint}` is unchanged.\n\n");

        sb.Append("## Verdict per record\n\n");
        sb.Append("| index | label | before: prediction (p(y\\|x)), φ | after: prediction (p(y\\|x)), φ | saw it: φ mean ± sd | never saw it: φ mean ± sd [interval] | never saw it: correct | upper p before → after | LiRA Λ before → after (member?) | confidence MIA after | verdict before | verdict |\n");
        sb.Append("|---:|---:|---|---|---|---|---:|---|---|---|---|---|\n");
        foreach (var (o, p) in r.Points.Zip(r.Plan))
            sb.Append($"| {o.Index} | {o.Label} | {o.PredictedBefore} ({P(o.ConfidenceBefore)}), {F(o.PhiBefore)} | {o.PredictedAfter} ({P(o.ConfidenceAfter)}), {F(o.PhiAfter)} | " +
                $"{F(p.Target.InMean)} ± {F(p.Target.InSd)} | {F(p.Target.OutMean)} ± {F(p.Target.OutSd)} [{F(p.Target.Low)}, {F(p.Target.High)}] | {p.Target.OutCorrect}/{p.Target.OutModels} | " +
                $"{G(o.UpperPBefore)} → {G(o.UpperPAfter)} | {F(o.LiraBefore)} ({(o.MemberBefore ? "yes" : "no")}) → {F(o.LiraAfter)} ({(o.MemberAfter ? "yes" : "no")}) | " +
                $"{(o.MiaNonMember ? "non-member" : "member")} | {o.VerdictBefore} | **{o.Verdict}** |\n");
        sb.Append('\n');
        sb.Append(string.Create(Inv, $"Test accuracy {r.Outcome.TestAccuracyBefore:P2} → {r.Outcome.TestAccuracyAfter:P2}; remaining-set accuracy {r.Outcome.RemainAccuracyBefore:P2} → {r.Outcome.RemainAccuracyAfter:P2} ({r.Outcome.RemainEvaluation}); "));
        sb.Append(string.Create(Inv, $"MIA-efficacy on the request {r.Outcome.MiaEfficacy:F2}; parameter distance {r.Outcome.Distance:G4}.\n\n"));
        foreach (var (v, meaning) in Verdicts.Meaning) sb.Append($"- `{v}`: {meaning}.\n");
        sb.Append('\n');

        sb.Append("## The ladder\n\n| k | points unlearned | succeeded | seconds | " + string.Join(" | ", r.Request.Select(i => $"#{i}")) + " |\n");
        sb.Append("|---:|---:|---|---:|" + string.Concat(r.Request.Select(_ => "---|")) + "\n");
        foreach (var g in r.Rungs)
            sb.Append(string.Create(Inv, $"| {g.K} | {g.ForgetSetSize} | {(g.Succeeded ? "yes" : "no")} | {g.Seconds:F1} | ") +
                string.Join(" | ", g.Points.Select(p => $"{P(p.Confidence)} {p.Verdict}")) + " |\n");
        sb.Append('\n');

        sb.Append("## How hard each record is (before any change)\n\n");
        foreach (var p in r.Plan)
        {
            sb.Append($"### #{p.Index} (label {p.Label}, predicted {p.Predicted}, p(y|x) {P(p.Confidence)})\n\n");
            sb.Append("| scorer | value | hardness percentile (100 = hardest) | among |\n|---|---:|---:|---|\n");
            foreach (var s in p.Scores) sb.Append(string.Create(Inv, $"| {s.Display} | {s.Value + 0.0:G6} | {s.HardnessPercentile:F1} | {s.Among} |\n"));
            sb.Append("\nTop Stein neighbours: " + string.Join(", ", p.Neighbors.Select(nb => string.Create(Inv, $"#{nb.Index} (label {nb.Label}, κ {nb.Kappa:G4})"))) + ".\n\n");
            if (p.Study.Count > 0)
            {
                var truths = p.Study[0].Truths.Select(t => t.GroundTruth).ToList();
                sb.Append("What the study observed for its points in the same decile of each score:\n\n| study | scorer | decile | points | " +
                    string.Join(" | ", truths.Select(t => $"{t} median [q1, q3]")) + " |\n|---|---|---:|---:|" + string.Concat(truths.Select(_ => "---|")) + "\n");
                foreach (var l in p.Study)
                    sb.Append($"| {l.Study} | {l.Scorer} | {l.Decile * 10}–{l.Decile * 10 + 10} % | {l.Points} | " +
                        string.Join(" | ", l.Truths.Select(t => string.Create(Inv, $"{t.Quartiles.Median:G4} [{t.Quartiles.Q1:G4}, {t.Quartiles.Q3:G4}]{(t.CensoredShare is double c ? $", {c:P0} censored" : "")}"))) + " |\n");
                sb.Append('\n');
            }
        }
        sb.Append("## Studies\n\n");
        if (r.Studies.Count == 0) sb.Append("No validation study of this data set and model is declared.\n");
        foreach (var s in r.Studies) sb.Append($"- {s.Study}: {(s.Used ? "compared" : "not compared")}: {s.Note}.\n");
        sb.Append($"\nFingerprint {r.Fingerprint.Hash[..Math.Min(16, r.Fingerprint.Hash.Length)]}; git {r.GitCommit}; command `{r.Command}`.\n");
        return sb.ToString();
    }

    /// <summary>Records drawn in request.png at most (a request of thousands would make an image no one can open).</summary>
    public const int MaxRows = 20;

    /// <summary>request.png: per record its image, its top neighbours with their labels, and φ of the population's in and out models with the record's φ before and after.</summary>
    public static void Save(ForgetReport r, ImageSet train, string path)
    {
        var plot = new Plot();
        int rows = Math.Min(r.Plan.Count, MaxRows);
        int nb = r.Plan.Take(rows).Max(p => p.Neighbors.Count);
        double barX = 1.6 + nb * 1.15 + 0.4, barW = 3.0;
        for (int row = 0; row < rows; row++)
        {
            var p = r.Plan[row];
            var o = r.Points[row];
            double y0 = -row * 1.6;
            Image(plot, train, p.Index, 0, y0, $"#{p.Index} label {p.Label}\n{o.Verdict}", bold: true);
            for (int t = 0; t < p.Neighbors.Count; t++)
                Image(plot, train, p.Neighbors[t].Index, 1.6 + t * 1.15, y0, string.Create(Inv, $"#{p.Neighbors[t].Index} label {p.Neighbors[t].Label}\nκ {p.Neighbors[t].Kappa:G3}"), bold: false);
            // φ on a number line: the models that saw the record (gray dots), those that never did (blue dots) with the
            // never-saw-it interval (black span), and the record before (gray bar) and after unlearning (red bar).
            var target = p.Target;
            var all = target.InPhi.Concat(target.OutPhi).Append(o.PhiBefore).Append(o.PhiAfter).Append(target.Low).Append(target.High).Where(double.IsFinite).ToList();
            double lo = all.Min(), hi = all.Max(), span0 = Math.Max(hi - lo, 1e-9);
            double X(double v) => barX + barW * (Math.Clamp(v, lo, hi) - lo) / span0;
            void Dots(double[] values, double y, Color color, string name)
            {
                foreach (var v in values) { var d = plot.Add.Marker(X(v), y); d.Color = color; d.Size = 7; }
                var label = plot.Add.Text(name, barX + barW + 0.1, y);
                label.LabelFontSize = 10; label.LabelAlignment = Alignment.MiddleLeft;
            }
            Dots(target.InPhi, y0 + 0.85, Colors.Gray, "saw it");
            Dots(target.OutPhi, y0 + 0.55, Colors.SteelBlue, "never saw it");
            var interval = plot.Add.Line(X(target.Low), y0 + 0.42, X(target.High), y0 + 0.42);
            interval.LineWidth = 3; interval.Color = Colors.Black;
            foreach (var (name, value, color, y) in new[] { ("before", o.PhiBefore, Colors.Gray, 0.22), ("after", o.PhiAfter, Colors.OrangeRed, 0.05) })
            {
                if (!double.IsFinite(value)) continue;
                var mark = plot.Add.Line(X(value), y0 + y - 0.07, X(value), y0 + y + 0.07);
                mark.LineWidth = 4; mark.Color = color;
                var label = plot.Add.Text(string.Create(Inv, $"{name} φ {value:F2}"), barX + barW + 0.1, y0 + y);
                label.LabelFontSize = 10; label.LabelAlignment = Alignment.MiddleLeft;
            }
            var scale = plot.Add.Text(string.Create(Inv, $"φ {lo:F1} … {hi:F1}"), barX, y0 - 0.08);
            scale.LabelFontSize = 9; scale.LabelAlignment = Alignment.UpperLeft;
            var frame = plot.Add.Line(barX, y0 - 0.05, barX, y0 + 1);
            frame.Color = Colors.Black;
        }
        var head = plot.Add.Text("φ = z_y − logsumexp z_j≠y per population model; black: the never-saw-it interval", barX, 1.35);
        head.LabelFontSize = 11; head.LabelAlignment = Alignment.MiddleLeft;
        var nbHead = plot.Add.Text("top Stein neighbours", 1.6, 1.35);
        nbHead.LabelFontSize = 11; nbHead.LabelAlignment = Alignment.MiddleLeft;
        plot.HideAxesAndGrid();
        plot.Axes.SetLimits(-0.2, barX + barW + 1.6, -(rows - 1) * 1.6 - 0.6, 1.55);
        plot.Title($"Deletion request on {r.Dataset} ({r.Model}, {r.Algorithm}, k = {r.Outcome.K}): {Verdicts.Summary(r.Points.Select(x => x.Verdict).ToList())}" +
            (rows < r.Plan.Count ? $" (the first {rows} of {r.Plan.Count} records shown; REQUEST.md has all)" : ""), 13);
        plot.SavePng(path, (int)(110 * (barX + barW + 1.8)), 175 * rows + 110);
    }

    static void Image(Plot plot, ImageSet train, int index, double x0, double y0, string caption, bool bold)
    {
        var image = Figures.ToImage(train.Pixels.AsSpan(index * train.PixelsPerImage, train.PixelsPerImage), train.Channels, train.Height, train.Width);
        plot.Add.ImageRect(image, new CoordinateRect(x0, x0 + 1, y0, y0 + 1));
        var t = plot.Add.Text(caption, x0 + 0.5, y0 - 0.03);
        t.LabelFontSize = 9; t.LabelBold = bold; t.LabelAlignment = Alignment.UpperCenter;
    }
}
