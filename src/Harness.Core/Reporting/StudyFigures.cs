using System.Globalization;
using Harness.Scoring.Scorers;
using Harness.Study;
using ScottPlot;

namespace Harness.Reporting;

/// <summary>
/// The study's figures: a forest plot (Spearman ρ with its 95 % interval, every scorer × ground truth) and, for the best
/// scorer (highest mean ρ over the ground truths) and for EMSKSD, the score's hardness rank against each ground truth.
/// </summary>
public static class StudyFigures
{
    static readonly Color[] Palette = Enumerable.Range(0, 10).Select(i => new ScottPlot.Palettes.Category10().GetColor(i)).ToArray();

    public static IReadOnlyList<string> Draw(StudySummary s, Runs.StudyFiles files)
    {
        var paths = new List<string>();
        var forest = files.Figure("forest");
        Forest(s, forest);
        paths.Add(forest);
        var best = BestScorer(s);
        foreach (var sc in new[] { best, "emsksd" }.Distinct().Where(s.Study.Scorers.Contains))
        {
            var p = files.Figure($"ranks-{sc}");
            Ranks(s, sc, sc == best ? "best by mean ρ" : null, p);
            paths.Add(p);
        }
        return paths;
    }

    public static string BestScorer(StudySummary s)
    {
        var rows = StudyTables.Headline(s).ToList();
        return s.Study.Scorers.OrderByDescending(sc => rows.Where(r => r.Scorer == sc && !double.IsNaN(r.Spearman)).Select(r => r.Spearman).DefaultIfEmpty(double.NegativeInfinity).Average())
            .ThenBy(sc => sc, StringComparer.Ordinal).First();
    }

    static void Forest(StudySummary s, string path)
    {
        var plot = new Plot();
        var rows = StudyTables.Headline(s).ToList();
        var truths = s.Study.GroundTruths;
        var scorers = s.Study.Scorers;
        var ticks = new List<double>(); var labels = new List<string>();
        double y = 0;
        for (int g = 0; g < truths.Length; g++)
        {
            foreach (var sc in scorers.Reverse())
            {
                var r = rows.First(x => x.Scorer == sc && x.GroundTruth == truths[g]);
                if (!double.IsNaN(r.Spearman))
                {
                    var line = plot.Add.Line(r.CiLow, y, r.CiHigh, y);
                    line.Color = Palette[g % Palette.Length]; line.LineWidth = 2;
                    var m = plot.Add.Marker(r.Spearman, y);
                    m.Color = Palette[g % Palette.Length]; m.Size = 7;
                }
                ticks.Add(y); labels.Add($"{ScorerRegistry.Get(sc).Display} ({r.HardEnd})");
                y += 1;
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = truths[g], LineColor = Palette[g % Palette.Length], LineWidth = 2, MarkerFillColor = Palette[g % Palette.Length], MarkerShape = MarkerShape.FilledCircle });
            if (g < truths.Length - 1) plot.Add.HorizontalLine(y, 1, Colors.LightGray);
            y += 1;
        }
        plot.Add.VerticalLine(0, 1, Colors.Gray);
        plot.Axes.Left.SetTicks(ticks.ToArray(), labels.ToArray());
        plot.Axes.Left.MinimumSize = 150;
        plot.ShowLegend(Edge.Right);
        plot.Axes.SetLimitsX(-1, 1);
        plot.XLabel("Spearman ρ of the score (oriented: higher = harder) with the ground truth, 95 % bootstrap interval");
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Study {s.Study.Name}: {s.Study.N} points, kernel {s.Study.Kernel}"), 13);
        plot.SavePng(path, 1100, Math.Max(500, 22 * (int)y + 140));
    }

    static void Ranks(StudySummary s, string scorer, string? note, string path)
    {
        var truths = s.Study.GroundTruths;
        var pop = s.Populations[s.Populations.Keys.Min()];
        var sc = ScorerRegistry.Get(scorer);
        var x = Statistics.AverageRanks(pop.Select(k => ScorerRegistry.Oriented(sc, s.Scores[scorer][k])).ToArray());
        var rows = StudyTables.Headline(s).ToList();
        var plots = truths.Select((g, gi) =>
        {
            var keep = Enumerable.Range(0, pop.Length).Where(i => double.IsFinite(s.Truths[g][pop[i]])).ToArray();
            var yr = Statistics.AverageRanks(keep.Select(i => s.Truths[g][pop[i]]).ToArray());
            var plot = new Plot();
            var sp = plot.Add.ScatterPoints(keep.Select(i => x[i]).ToArray(), yr, Palette[gi % Palette.Length]);
            sp.MarkerSize = 4;
            var r = rows.First(t => t.Scorer == scorer && t.GroundTruth == g);
            plot.Title(string.Create(CultureInfo.InvariantCulture, $"{g}: ρ {r.Spearman:+0.00;−0.00} [{r.CiLow:+0.00;−0.00}, {r.CiHigh:+0.00;−0.00}]"), 12);
            plot.XLabel($"{sc.Display} rank (oriented)");
            plot.YLabel($"{g} rank");
            return plot;
        }).ToList();
        Figures.SavePanels($"Study {s.Study.Name}: rank of {sc.Display}{(note != null ? $" ({note})" : "")} against each ground truth (1 = easiest; ties share ranks)",
            plots, 420, 380, path);
    }
}
