using ScottPlot;

namespace Harness.Reporting;

/// <summary>The population's figure: LiRA's ROC curve on log-log axes (Carlini et al. 2022's Figure 1 style), with chance.</summary>
public static class PopulationFigures
{
    public static void SaveRoc(string title, (double[] Fpr, double[] Tpr) curve, double auc, string path)
    {
        var plot = new Plot();
        var logF = curve.Fpr.Select(Math.Log10).ToArray();
        var logT = curve.Tpr.Select(t => Math.Log10(Math.Max(t, 1e-5))).ToArray();
        var line = plot.Add.ScatterLine(logF, logT);
        line.LegendText = FormattableString.Invariant($"LiRA (AUC {auc:F3})");
        line.LineWidth = 2;
        var chance = plot.Add.ScatterLine(new[] { logF[0], 0.0 }, new[] { logF[0], 0.0 });
        chance.LegendText = "chance";
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        var ticks = Enumerable.Range(-5, 6).Select(e => (double)e).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, ticks.Select(e => $"1e{e}").ToArray());
        plot.Axes.Left.SetTicks(ticks, ticks.Select(e => $"1e{e}").ToArray());
        plot.Axes.SetLimits(logF[0], 0, Math.Min(logF[0], logT.Where(double.IsFinite).DefaultIfEmpty(-5).Min()), 0);
        plot.XLabel("false-positive rate");
        plot.YLabel("true-positive rate");
        plot.Title(title, 12);
        plot.ShowLegend(Alignment.LowerRight);
        var png = plot.GetImage(720, 560).GetImageBytes();
        Util.AtomicFile.WriteAllBytes(path, png);
    }
}
