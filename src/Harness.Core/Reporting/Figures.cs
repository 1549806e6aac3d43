using System.Globalization;
using Harness.Data;
using Harness.Experiments;
using Harness.Jobs;
using ScottPlot;
using SkiaSharp;

namespace Harness.Reporting;

/// <summary>A grouped bar chart: one value per series and group, and the cells each value was averaged from.</summary>
public sealed record BarFigure(string Title, string YLabel, string[] Groups, string[] Series, double[][] Values, int[][] CellCounts);

/// <summary>Flagged training images with their class and score.</summary>
public sealed record ImagePanel(string Scorer, string Side, int Rank, int Index, long Label, double Score, byte[] Pixels, int Channels, int Height, int Width);
public sealed record ImageFigure(string Title, ImagePanel[] Panels);

/// <summary>κ(i, ·) of one point against all others, sorted descending, split by the class of the other point.</summary>
public sealed record KernelPanel(string Title, int Index, long Label, Dictionary<long, (double[] Rank, double[] Value)> ByClass);
public sealed record KernelFigure(string Title, KernelPanel[] Panels);

/// <summary>The paper's figures, built from a matrix's merged cells and shared scoring output (data first, then drawn).</summary>
public static class Figures
{
    static readonly Dictionary<string, string> Metric = new() { ["remain"] = "remain_acc", ["forget"] = "forget_acc", ["test"] = "test_acc" };
    public static readonly Dictionary<int, string> ExpansionFigureScorer = new() { [2] = "emsksd", [4] = "mksd", [5] = "msksd" };

    /// <summary>Figures 2, 4, 5: remaining / forget / test accuracy per unlearner and expansion size, easy vs hard, for one scorer.</summary>
    public static BarFigure Expansion(MatrixSpec m, IReadOnlyList<CellResult> cells, int figure, string? kernel = null)
    {
        string scorer = ExpansionFigureScorer[figure];
        var groups = (from side in new[] { "easy", "hard" }.Where(m.HasSide)
                      from u in m.Unlearners
                      from k in m.Expansions
                      select (side, u, k)).ToList();
        var series = new[] { "remain", "forget", "test" };
        var values = series.Select(s => groups.Select(g => Spread.Of(Select(cells, scorer, g.side, g.u, g.k).Select(c => PaperTables.Metric(c, Metric[s]))).Mean).ToArray()).ToArray();
        var counts = series.Select(_ => groups.Select(g => Select(cells, scorer, g.side, g.u, g.k).Count()).ToArray()).ToArray();
        return new BarFigure($"Figure {figure}: accuracy after unlearning the {PaperTables.Name(scorer)}-ranked points (matrix {m.Name}{(kernel != null ? $", kernel {kernel}" : "")})",
            "accuracy (mean over points and seeds)", groups.Select(g => $"{g.side} {PaperTables.UnlearnerName(g.u)} k{g.k}").ToArray(), series, values, counts);
    }

    static IEnumerable<CellResult> Select(IReadOnlyList<CellResult> cells, string scorer, string side, string unlearner, int k) =>
        cells.Where(c => c.Scorer == scorer && c.Side == side && c.Unlearner == unlearner && c.Expansion == k);

    /// <summary>Figure 1: the two easiest and two hardest training images per scorer, among the matrix's candidates.</summary>
    public static ImageFigure FlaggedImages(MatrixSpec m, Scoring.PointScores scores, ImageSet train, string? kernel = null)
    {
        var panels = new List<ImagePanel>();
        foreach (var name in m.Scorers)
        {
            var scorer = Scoring.Scorers.ScorerRegistry.Get(name);
            var v = scores.Values(scorer);
            void Add(string side, int[] picks)
            {
                for (int r = 0; r < picks.Length; r++)
                {
                    int i = picks[r];
                    panels.Add(new ImagePanel(name, side, r + 1, i, train.Labels[i], v[i],
                        train.Pixels.AsSpan(i * train.PixelsPerImage, train.PixelsPerImage).ToArray(), train.Channels, train.Height, train.Width));
                }
            }
            Add("easy", Scoring.Scorers.ScorerRegistry.Easiest(scorer, scores, 2, m.Candidates));
            Add("hard", Scoring.Scorers.ScorerRegistry.Hardest(scorer, scores, 2, m.Candidates));
        }
        return new ImageFigure($"Figure 1: the two easiest and two hardest training points per scorer (matrix {m.Name}{(kernel != null ? $", kernel {kernel}" : "")}, " +
            $"{SettingField.Format(m.Candidates)} candidates)", panels.ToArray());
    }

    /// <summary>Figure 3: sorted κ of the easiest and the hardest point (of <paramref name="scorer"/>) against all training points, by class.</summary>
    public static KernelFigure KernelRows(Runs.ScoringRunFiles run, string scorer, long[] labels, string? kernel = null)
    {
        var rows = Util.Json.Deserialize<List<Scoring.ExtremeRow>>(File.ReadAllText(run.ExtremesJson));
        var (shape, values) = Util.Npy.Read<float>(run.ExtremesNpy, rows.Count, labels.Length);
        int n = (int)shape[1];
        var panels = new List<KernelPanel>();
        foreach (var side in new[] { "easy", "hard" })
        {
            int r = rows.FindIndex(x => x.Scorer == scorer && x.Side == side);
            var row = rows[r];
            var order = Enumerable.Range(0, n).Where(j => j != row.Index).OrderByDescending(j => values[r * n + j]).ToArray();
            var byClass = new Dictionary<long, (List<double>, List<double>)>();
            for (int rank = 0; rank < order.Length; rank++)
            {
                long c = labels[order[rank]];
                if (!byClass.TryGetValue(c, out var lists)) byClass[c] = lists = (new(), new());
                lists.Item1.Add(rank + 1);
                lists.Item2.Add(values[r * n + order[rank]]);
            }
            panels.Add(new KernelPanel($"{(side == "easy" ? "easiest" : "hardest")} by {PaperTables.Name(scorer)}: point {row.Index} (class {row.Label})",
                row.Index, row.Label, byClass.OrderBy(p => p.Key).ToDictionary(p => p.Key, p => (p.Value.Item1.ToArray(), p.Value.Item2.ToArray()))));
        }
        return new KernelFigure($"Figure 3: sorted Stein-kernel values κ(i, j) against all training points j, coloured by the class of j{(kernel != null ? $" (kernel {kernel})" : "")}", panels.ToArray());
    }

    // ---- drawing ----

    static readonly Color[] SeriesColors = { Colors.SteelBlue, Colors.OrangeRed, Colors.SeaGreen };

    public static void Save(BarFigure f, string path)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        int s = f.Series.Length;
        for (int g = 0; g < f.Groups.Length; g++)
            for (int k = 0; k < s; k++)
                if (!double.IsNaN(f.Values[k][g]))
                    bars.Add(new Bar { Position = g * (s + 1) + k, Value = f.Values[k][g], FillColor = SeriesColors[k % SeriesColors.Length] });
        plot.Add.Bars(bars);
        for (int k = 0; k < s; k++) plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{f.Series[k]} accuracy", FillColor = SeriesColors[k % SeriesColors.Length] });
        plot.ShowLegend(Edge.Right);
        plot.Axes.Bottom.SetTicks(f.Groups.Select((_, g) => g * (s + 1) + (s - 1) / 2.0).ToArray(), f.Groups);
        plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 120;
        int half = f.Groups.Count(g => g.StartsWith("easy", StringComparison.Ordinal));
        if (half > 0 && half < f.Groups.Length) plot.Add.VerticalLine(half * (s + 1) - 1, 1, Colors.Gray);
        plot.Axes.SetLimitsY(0, 1.15);
        plot.Title(f.Title, 13);
        plot.YLabel(f.YLabel);
        plot.XLabel("side, unlearner and expansion size k (easy on the left, hard on the right)");
        plot.SavePng(path, Math.Max(1000, 40 * f.Groups.Length * (s + 1) / 2 + 160), 560);
    }

    public static void Save(ImageFigure f, string path)
    {
        var plot = new Plot();
        var scorers = f.Panels.Select(p => p.Scorer).Distinct().ToList();
        int cols = f.Panels.Count(p => p.Scorer == scorers[0]);
        for (int i = 0; i < f.Panels.Length; i++)
        {
            var p = f.Panels[i];
            int row = scorers.IndexOf(p.Scorer), col = i - row * cols;
            double x0 = col * 1.25 + (col >= cols / 2 ? 0.4 : 0), y0 = -row * 1.6;
            plot.Add.ImageRect(ToImage(p), new CoordinateRect(x0, x0 + 1, y0, y0 + 1));
            var label = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"#{p.Index} class {p.Label}\n{Score(p)}"), x0 + 0.5, y0 - 0.05);
            label.LabelFontSize = 11; label.LabelAlignment = Alignment.UpperCenter;
        }
        for (int row = 0; row < scorers.Count; row++)
        {
            var t = plot.Add.Text(PaperTables.Name(scorers[row]), -0.15, -row * 1.6 + 0.5);
            t.LabelFontSize = 14; t.LabelBold = true; t.LabelAlignment = Alignment.MiddleRight;
        }
        var easy = plot.Add.Text("easiest", (cols / 2) * 1.25 / 2 - 0.12, 1.25); easy.LabelFontSize = 14; easy.LabelAlignment = Alignment.MiddleCenter;
        var hard = plot.Add.Text("hardest", (cols / 2) * 1.25 + 0.4 + (cols / 2) * 1.25 / 2 - 0.12, 1.25); hard.LabelFontSize = 14; hard.LabelAlignment = Alignment.MiddleCenter;
        plot.HideAxesAndGrid();
        plot.Axes.SetLimits(-1.1, cols * 1.25 + 0.5, -(scorers.Count - 1) * 1.6 - 0.6, 1.45);
        plot.Axes.SquareUnits();
        plot.Title(f.Title, 13);
        plot.SavePng(path, 200 * cols + 200, 190 * scorers.Count + 120);
    }

    static string Score(ImagePanel p) => string.Create(CultureInfo.InvariantCulture, $"{Scoring.Scorers.ScorerRegistry.Get(p.Scorer).ValueLabel} {p.Score:G4}");

    static Image ToImage(ImagePanel p) => ToImage(p.Pixels, p.Channels, p.Height, p.Width);

    /// <summary>One image of a data set (channel planes, as <see cref="ImageSet"/> stores them) as an RGB image; grayscale is repeated.</summary>
    internal static Image ToImage(ReadOnlySpan<byte> pixels, int channels, int height, int width)
    {
        var rgb = new byte[height, width, 3];
        for (int r = 0; r < height; r++)
            for (int c = 0; c < width; c++)
                for (int ch = 0; ch < 3; ch++)
                    rgb[r, c, ch] = pixels[((channels == 3 ? ch : 0) * height + r) * width + c];
        return new Image(rgb);
    }

    static readonly Color[] ClassColors = Enumerable.Range(0, 10).Select(i => new ScottPlot.Palettes.Category10().GetColor(i)).ToArray();

    public static void Save(KernelFigure f, string path)
    {
        var plots = f.Panels.Select(p =>
        {
            var plot = new Plot();
            foreach (var (cls, (x, y)) in p.ByClass)
            {
                var sp = plot.Add.ScatterPoints(x, y, ClassColors[(int)(cls % 10)]);
                sp.MarkerSize = 4;
                sp.LegendText = $"class {cls}";
            }
            plot.ShowLegend(Edge.Right);
            plot.Title(p.Title, 13);
            plot.XLabel("rank of j by κ(i, j) (1 = most similar)");
            plot.YLabel("Stein kernel κ(i, j)");
            return plot;
        }).ToList();
        SavePanels(f.Title, plots, 760, 520, path);
    }

    /// <summary>Plots of w×h side by side under a title line, as one PNG.</summary>
    public static void SavePanels(string title, IReadOnlyList<Plot> plots, int w, int h, string path)
    {
        using var surface = SKSurface.Create(new SKImageInfo(w * plots.Count, h + 40));
        surface.Canvas.Clear(SKColors.White);
        using (var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        using (var font = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans"), 17))
            surface.Canvas.DrawText(title, 20, 27, SKTextAlign.Left, font, paint);
        for (int i = 0; i < plots.Count; i++)
        {
            var png = plots[i].GetImage(w, h).GetImageBytes();
            using var bmp = SKBitmap.Decode(png);
            surface.Canvas.DrawBitmap(bmp, i * w, 40);
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        Util.AtomicFile.WriteAllBytes(path, data.ToArray());
    }
}
