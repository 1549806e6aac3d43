using FluentAssertions;
using Harness.Config;
using Harness.Data;
using Harness.Experiments;
using Harness.Reporting;
using Harness.Scoring;
using Harness.Jobs;
using Harness.Util;
using NUnit.Framework;
using SkiaSharp;

namespace Harness.Tests.Reporting;

/// <summary>Tables, figures and the report are built from the data they claim: series and values are checked, not only files.</summary>
public class ReportingTests
{
    string dir = "";
    [SetUp] public void SetUp() => dir = TestSupport.TempDir("report");
    [TearDown] public void TearDown() => Directory.Delete(dir, true);

    static readonly MatrixSpec Spec = new()
    {
        Name = "t", Datasets = new[] { "mnist" }, Scorers = new[] { "pc", "mksd", "msksd", "ssn", "emsksd" }, Sides = new[] { Side.Easy, Side.Hard },
        Points = 2, Unlearners = new[] { "gradascent", "finetune" }, Expansions = new[] { 0, 10 }, Seeds = new[] { 0 },
    };

    /// <summary>The kernel label of the default scoring profile.</summary>
    const string K = "input-median";

    /// <summary>Deterministic, distinct values per cell so that any mix-up shows.</summary>
    static List<CellResult> Cells() => Matrices.Cells(Spec).Select((c, i) => new CellResult(
        c.Id, "t", c.Dataset, c.Kernel, c.Scorer, c.SideName, c.Slot, 1000 + i, c.Unlearner, c.Expansion, c.Seed,
        ForgetAcc: (i % 3) / 2.0, ForgetLoss: i * 0.1, RemainAcc: 0.9 + i * 0.001, RemainLoss: 0.2, TestAcc: 0.95 - i * 0.001, TestLoss: 0.1 + i * 0.01,
        MiaEfficacy: (i % 2), Distance: i, Seconds: 1, OriginalForgetAcc: 1, OriginalForgetLoss: 0.01, ForgetSet: new[] { 1000 + i },
        MiaForgetPredictedNonMember: new[] { i % 2 == 1 }, MiaThreshold: 0.9, MiaShadowBalancedAccuracy: 0.6, MiaAttack: "a", MiaFeature: "f",
        DistancePerLayer: new(), Details: new(), Configuration: new { }, Threads: 2, Device: "cpu", TorchSharpVersion: "x", LibTorchVersion: "y", GitCommit: "z")).ToList();

    [TestCase(2, "emsksd")]
    [TestCase(4, "mksd")]
    [TestCase(5, "msksd")]
    public void ExpansionFiguresCarryTheMeansOfTheirCells(int figure, string scorer)
    {
        var cells = Cells();
        var f = Figures.Expansion(Spec, cells, figure);
        f.Series.Should().Equal("remain", "forget", "test");
        f.Groups.Should().HaveCount(2 * 2 * 2);
        f.Groups[0].Should().Be("easy GradAscent k0");
        f.Groups[^1].Should().Be("hard FineTune k10");
        f.CellCounts.SelectMany(c => c).Should().OnlyContain(n => n == Spec.Points);
        var table = PaperTables.Build(Spec, cells);
        int g = 0;
        foreach (var side in new[] { "easy", "hard" })
            foreach (var u in Spec.Unlearners)
                foreach (var k in Spec.Expansions)
                {
                    var sel = cells.Where(c => c.Scorer == scorer && c.Side == side && c.Unlearner == u && c.Expansion == k).ToList();
                    f.Values[0][g].Should().BeApproximately(sel.Average(c => c.RemainAcc), 1e-12);
                    f.Values[1][g].Should().BeApproximately(sel.Average(c => c.ForgetAcc), 1e-12);
                    f.Values[2][g].Should().BeApproximately(sel.Average(c => c.TestAcc), 1e-12);
                    if (k == 0)
                    {
                        f.Values[1][g].Should().Be(table.Single(e => e.Table == 1 && e.Scorer == scorer && e.Unlearner == u && e.Side == side && e.Part == "forget").Ours.Mean);
                        f.Values[2][g].Should().Be(table.Single(e => e.Table == 1 && e.Scorer == scorer && e.Unlearner == u && e.Side == side && e.Part == "test").Ours.Mean);
                    }
                    g++;
                }
        var png = Path.Combine(dir, "f.png");
        Figures.Save(f, png);
        using var bmp = SKBitmap.Decode(png);
        bmp.Width.Should().BeGreaterThan(800);
        Enumerable.Range(0, 50).Select(i => bmp.GetPixel(i * bmp.Width / 50, bmp.Height / 2)).Distinct().Count().Should().BeGreaterThan(2, "the figure is drawn, not blank");
    }

    [Test]
    public void Table3MarksEfficacyWhereTheAttackIsNoBetterThanChance()
    {
        var cells = Cells().Select(c => c.Scorer == "pc" && c.Side == "easy" ? c with { MiaShadowBalancedAccuracy = 0.52 } : c).ToList();
        var entries = PaperTables.Build(Spec, cells);
        var md = PaperTables.Markdown(Spec, entries, 3);
        var pcRow = md.Split('\n').Single(l => l.StartsWith($"| mnist | {K} | PC |", StringComparison.Ordinal));
        var mksdRow = md.Split('\n').Single(l => l.StartsWith($"| mnist | {K} | MKSD |", StringComparison.Ordinal));
        pcRow.Should().Contain("†");
        mksdRow.Should().NotContain("†");
        md.Should().Contain("below 0.55");
        PaperTables.WeakAttackOf(entries, entries.First(e => e.Table == 3 && e.Scorer == "pc" && e.Side == "easy" && e.Metric == "mia_efficacy")).Should().Be(0.52);
        MatrixTable.ToCsv(cells).Split('\n')[0].Should().Contain("mia_efficacy,mia_shadow_balanced_accuracy,mia_threshold");
    }

    [Test]
    public void TablesHoldEveryEntryWithSpreadAndThePapersNumbers()
    {
        var entries = PaperTables.Build(Spec, Cells());
        entries.Count(e => e.Table == 1).Should().Be(5 * 3 * 2 * 2, "forget, drop and test");
        entries.Where(e => e.Part == "drop").Should().OnlyContain(e => e.Paper == null, "the paper does not report the drop");
        entries.Single(e => e.Table == 1 && e.Scorer == "pc" && e.Unlearner == "gradascent" && e.Side == "easy" && e.Part == "drop").Ours.Mean
            .Should().Be(Cells().Where(c => c.Scorer == "pc" && c.Unlearner == "gradascent" && c.Side == "easy" && c.Expansion == 0).Average(c => c.OriginalForgetAcc - c.ForgetAcc));
        entries.Count(e => e.Table == 3 && e.Metric == "mia_efficacy").Should().Be(5 * 2 * 2);
        entries.Count(e => e.Table == 3 && e.Metric == "mia_shadow_balanced_accuracy").Should().Be(5 * 2 * 2, "Table 3 shows how strong the attack was");
        entries.Where(e => e.Metric == "mia_shadow_balanced_accuracy").Should().OnlyContain(e => e.Paper == null && e.Ours.Mean == 0.6);
        entries.Should().OnlyContain(e => e.Ours.N == 2);
        entries.Single(e => e.Table == 1 && e.Scorer == "emsksd" && e.Unlearner == "gradascent" && e.Side == "easy" && e.Part == "forget").Paper.Should().Be(0.00);
        entries.Single(e => e.Table == 1 && e.Scorer == "emsksd" && e.Unlearner == "gradascent" && e.Side == "hard" && e.Part == "forget").Paper.Should().Be(1.00);
        entries.SingleOrDefault(e => e.Table == 3 && e.Scorer == "msksd" && e.Unlearner == "retrain" && e.Side == "easy").Should().BeNull("retrain is not in this matrix");
        var md = PaperTables.Markdown(Spec, entries, 1);
        md.Split('\n').Count(l => l.StartsWith("| mnist |")).Should().Be(5);
        md.Should().Contain("Forget GradAscent easy").And.Contain("±");
        md.Should().Contain("Drop GradAscent easy");
        PaperTables.Csv(entries.Where(e => e.Table == 2)).Split('\n')[0].Should().Be("table,dataset,kernel,scorer,unlearner,side,part,metric,n,mean,sd,min,max,paper");
    }

    [Test]
    public void FlaggedImagesAreTheRankedPointsWithTheirPixels()
    {
        var mnist = TestSupport.Mnist.Train.Take(50);
        var rng = new Random(1);
        double[] R() => Enumerable.Range(0, 50).Select(_ => rng.NextDouble()).ToArray();
        var scores = new PointScores(Enumerable.Range(0, 50).ToArray(), mnist.Labels, mnist.Labels,
            new[] { "pc", "mksd", "msksd", "ssn", "emsksd" }.ToDictionary(n => n, _ => R()));
        var f = Figures.FlaggedImages(Spec, scores, mnist);
        f.Panels.Should().HaveCount(5 * 4);
        foreach (var name in Spec.Scorers)
        {
            var s = Harness.Scoring.Scorers.ScorerRegistry.Get(name);
            var panels = f.Panels.Where(p => p.Scorer == name).ToList();
            panels.Where(p => p.Side == "easy").Select(p => p.Index).Should().Equal(Harness.Scoring.Scorers.ScorerRegistry.Easiest(s, scores, 2));
            panels.Where(p => p.Side == "hard").Select(p => p.Index).Should().Equal(Harness.Scoring.Scorers.ScorerRegistry.Hardest(s, scores, 2));
            foreach (var p in panels)
            {
                p.Label.Should().Be(mnist.Labels[p.Index]);
                p.Score.Should().Be(scores.Values(s)[p.Index]);
                p.Pixels.Should().Equal(mnist.Pixels.AsSpan(p.Index * 784, 784).ToArray());
            }
        }
        var png = Path.Combine(dir, "f1.png");
        Figures.Save(f, png);
        new FileInfo(png).Length.Should().BeGreaterThan(10_000);
    }

    [Test]
    public void KernelRowFigureSortsEveryOtherPointByKappaAndKeepsItsClass()
    {
        const int n = 40;
        var labels = Enumerable.Range(0, n).Select(i => (long)(i % 10)).ToArray();
        var rows = new[] { new Harness.Scoring.ExtremeRow("emsksd", "easy", 3, 3, 1.0), new Harness.Scoring.ExtremeRow("emsksd", "hard", 7, 7, 9.0) };
        var values = Enumerable.Range(0, 2 * n).Select(i => (float)Math.Sin(i * 1.3)).ToArray();
        Npy.Write<float>(Path.Combine(dir, "extremes.npy"), values, 2, n);
        File.WriteAllText(Path.Combine(dir, "extremes.json"), Json.Serialize(rows));
        var f = Figures.KernelRows(new Harness.Runs.ScoringRunFiles(dir), "emsksd", labels);
        f.Panels.Should().HaveCount(2);
        for (int r = 0; r < 2; r++)
        {
            var p = f.Panels[r];
            p.Index.Should().Be(rows[r].Index);
            var points = p.ByClass.SelectMany(kv => kv.Value.Rank.Zip(kv.Value.Value, (x, y) => (Rank: x, Value: y, Class: kv.Key))).OrderBy(t => t.Rank).ToList();
            points.Should().HaveCount(n - 1, "every point but the flagged one itself");
            points.Select(t => t.Value).Should().BeInDescendingOrder();
            var expected = Enumerable.Range(0, n).Where(j => j != p.Index).OrderByDescending(j => values[r * n + j]).ToList();
            points.Select(t => t.Class).Should().Equal(expected.Select(j => labels[j]));
            points.Select(t => t.Value).Should().Equal(expected.Select(j => (double)values[r * n + j]));
        }
        var png = Path.Combine(dir, "f3.png");
        Figures.Save(f, png);
        using var bmp = SKBitmap.Decode(png);
        bmp.Width.Should().Be(2 * 760);
    }

    /// <summary>REPORT.md counts the misclassified extremes of each score and shows the Eq. 4 term shares per kernel.</summary>
    [Test]
    public void TheReportCountsMisclassifiedExtremesAndShowsWhatTheKernelMeasures()
    {
        var mnist = TestSupport.Mnist.Train.Take(50);
        var predicted = mnist.Labels.Select((l, i) => i < 3 ? (l + 1) % 10 : l).ToArray(); // points 0, 1, 2 misclassified
        double[] Up() => Enumerable.Range(0, 50).Select(i => (double)i).ToArray();
        double[] Down() => Enumerable.Range(0, 50).Select(i => (double)(50 - i)).ToArray();
        // pc: 0, 1, 2 are the easiest (low pc is easy); mksd: they are the hardest (high is hard).
        var scores = new PointScores(Enumerable.Range(0, 50).ToArray(), mnist.Labels, predicted,
            new Dictionary<string, double[]> { ["pc"] = Up(), ["mksd"] = Down(), ["msksd"] = Up(), ["ssn"] = Up(), ["emsksd"] = Up() });
        var extremes = new List<ExtremeRow>
        {
            new("mksd", "easy", 49, 0, 0, 0, MeanAbsScoreTerm: 1, MeanAbsInfluenceTerm: 1, MeanAbsRawTerm: 2),
            new("mksd", "hard", 3, 0, 0, 0, MeanAbsScoreTerm: 1, MeanAbsInfluenceTerm: 1, MeanAbsRawTerm: 2),
            new("pc", "easy", 3, 0, 0, 0, MeanAbsScoreTerm: 1e-7, MeanAbsInfluenceTerm: 0, MeanAbsRawTerm: 1),
        };
        var evidence = new Dictionary<(string, string), KernelEvidence> { [("mnist", K)] = new(scores, extremes, null) };
        var cells = Cells();
        var md = ReproductionReport.Build(Spec, cells, PaperTables.Build(Spec, cells), new Dictionary<string, TrainReport>(), "not run", evidence);
        var lines = md.Split('\n');
        lines.Should().Contain($"| mnist | {K} | PC | 3 of 5 | 0 of 5 | 0 of 4 |");
        lines.Should().Contain($"| mnist | {K} | MKSD | 0 of 5 | 3 of 5 | 0 of 4 |");
        lines.Should().Contain($"| mnist | {K} | MKSD | 25.00 % | 25.00 % | 50.00 % | 4 |");
        lines.Should().Contain($"| mnist | {K} | PC | 1.0e-5 % | 0.00 % | 100.00 % | 1 |");
        md.Should().Contain("## The headline claim, per kernel").And.Contain("## Misclassified extremes").And.Contain("## What the kernel measures here");
    }

    [Test]
    public void TheHeadlineCheckSaysHoldsOnlyWhenEasyIsForgottenHardIsNotAndTestIsKept()
    {
        var cells = Cells();
        CellResult Set(CellResult c, double forget, double test) => c with { ForgetAcc = forget, TestAcc = test };
        var holds = cells.Select(c => c.Scorer == "emsksd" && c.Unlearner == "gradascent" ? Set(c, c.Side == "easy" ? 0 : 1, 0.985) : c).ToList();
        ReproductionReport.CheckHeadline(Spec, holds, "mnist", K, 0.99).Holds.Should().BeTrue();
        var hardForgotten = holds.Select(c => c.Scorer == "emsksd" && c.Unlearner == "gradascent" && c.Side == "hard" ? Set(c, 0, 0.985) : c).ToList();
        var h = ReproductionReport.CheckHeadline(Spec, hardForgotten, "mnist", K, 0.99);
        h.Holds.Should().BeFalse();
        h.Text.Should().Contain("hard points are forgotten too");
        h.Text.Should().NotContain("misclassified before");
        // hard points the original model already got wrong: forget accuracy 0 at no cost, not forgotten by GradAscent
        var hardWrong = holds.Select(c => c.Scorer == "emsksd" && c.Unlearner == "gradascent" && c.Side == "hard" ? Set(c, 0, 0.985) with { OriginalForgetAcc = 0 } : c).ToList();
        var w = ReproductionReport.CheckHeadline(Spec, hardWrong, "mnist", K, 0.99);
        w.Holds.Should().BeFalse();
        w.Text.Should().NotContain("hard points are forgotten too").And.Contain($"only because {Spec.Points} of {Spec.Points} were misclassified before any unlearning (GradAscent changed none of the 0 classified correctly)")
            .And.Contain("no hard one was classified correctly, so these picks do not test the hard side");
        var testLost = holds.Select(c => c.Scorer == "emsksd" && c.Unlearner == "gradascent" && c.Side == "easy" ? Set(c, 0, 0.90) : c).ToList();
        ReproductionReport.CheckHeadline(Spec, testLost, "mnist", K, 0.99).Text.Should().Contain("test accuracy drops");
    }

    [Test]
    public void APaperValueIsContainedByTheRangeOfThePointsWithinItsPrintedPrecision()
    {
        var s = Spread.Of(new[] { 0.0, 0.5 });
        PaperComparison.Contains(s, 0.504).Should().BeTrue("0.504 prints as 0.50, and 0.50 stands for [0.495, 0.505]");
        PaperComparison.Contains(s, 0.51).Should().BeFalse();
        PaperComparison.Contains(s, -0.004).Should().BeTrue();
        PaperComparison.Contains(Spread.Of(Array.Empty<double>()), 0).Should().BeFalse("no cells, no interval");
    }

    [Test]
    public void ADoNothingModelIsComparedBesideOursAndDecidesTheVerdict()
    {
        // The paper's MNIST PC rows under GradAscent: forget accuracy 1.00 easy and hard. Our cells here forget everything
        // (0), so our range misses 1.00 where the do-nothing model (the original, forget accuracy 1 before) contains it.
        var cells = Cells().Select(c => c with { ForgetAcc = 0, OriginalForgetAcc = 1, OriginalForgetLoss = 0.01 }).ToList();
        var entries = PaperTables.Build(Spec, cells);
        var rows = PaperComparison.Build(Spec, cells, entries, new Dictionary<string, Harness.Jobs.TrainReport>());
        rows.Should().OnlyContain(r => r.Entry.Paper != null, "each row is a paper value");
        rows.Select(r => (r.Entry.Table, r.Entry.Kernel, r.Entry.Scorer, r.Entry.Unlearner, r.Entry.Side, r.Entry.Part)).Should().OnlyHaveUniqueItems("each paper value once per kernel");
        var pcEasy = rows.Single(r => r.Entry.Table == 1 && r.Entry.Scorer == "pc" && r.Entry.Unlearner == "gradascent" && r.Entry.Side == "easy" && r.Entry.Part == "forget");
        pcEasy.Entry.Paper.Should().Be(1.00);
        (pcEasy.OursContain, pcEasy.DoNothingContains).Should().Be((false, true));
        pcEasy.DoNothing.Should().Be(Spread.Of(new[] { 1.0, 1.0 }));
        var test = rows.First(r => r.Entry.Part == "test" && r.Entry.Table == 1);
        test.DoNothingContains.Should().BeNull("without the original's train record its test accuracy is not known here");
        PaperComparison.Cells(test).DoNothing.Should().Be("not measured");
        var tally = PaperComparison.Tally(rows, 1);
        int forgetRows = rows.Count(r => r.Entry.Table == 1 && r.DoNothingContains != null);
        int nothing = rows.Count(r => r.Entry.Table == 1 && r.DoNothingContains == true), ours = rows.Count(r => r.Entry.Table == 1 && r.DoNothingContains != null && r.OursContain);
        nothing.Should().BeGreaterThan(ours);
        tally.Should().Contain($"our intervals contain {ours} of {forgetRows} paper values, a model on which unlearning does nothing {nothing} of {forgetRows}: **does not agree beyond what doing nothing gives**");
        // Cells that match the paper exactly where doing nothing does not: the verdict turns.
        var paperLike = cells.Select(c => c with { ForgetAcc = PaperValues.Lookup(1, c.Dataset, c.Scorer, c.Unlearner, c.Side, "forget") ?? 0.3, OriginalForgetAcc = 0.7 }).ToList();
        var agreeing = PaperComparison.Build(Spec, paperLike, PaperTables.Build(Spec, paperLike), new Dictionary<string, Harness.Jobs.TrainReport>());
        PaperComparison.Tally(agreeing, 1).Should().Contain("**agrees beyond what doing nothing gives**");
        PaperComparison.Tally(rows, 3).Should().Contain("none was measured on the original, so there is no do-nothing comparison and no verdict")
            .And.NotContain("beyond what doing nothing gives", "Table 3's efficacy was not measured on the original");
    }

    /// <summary>Two studies of two data sets side by side: each ρ with its interval in its column, and the verdicts per data set.</summary>
    [Test]
    public void TwoStudiesAreComparedSideBySide()
    {
        StudySpec Study(string name, string dataset) => new()
        {
            Name = name, Matrix = "t", Dataset = dataset, Kernel = K, N = 300, Scorers = new[] { "pc", "loss", "mksd", "emsksd" }, GroundTruths = new[] { "gt_steps", "gt_klom" },
        };
        Harness.Runs.StudyFiles Write(string name, params string[] rows)
        {
            var files = new Harness.Runs.StudyFiles(Path.Combine(dir, name), name);
            Directory.CreateDirectory(files.Dir);
            File.WriteAllText(files.Summary, "scorer,hard_end,ground_truth,n,spearman,ci_low,ci_high,auroc\n" + string.Join("\n", rows) + "\n");
            return files;
        }
        // a: confidence predicts both, no KSD score beats it; b: EMSKSD beats loss and PC on gt_klom
        var a = Write("a", "pc,low,gt_steps,300,0.5,0.4,0.6,0.7", "loss,high,gt_steps,300,0.45,0.35,0.55,0.7", "mksd,high,gt_steps,300,0.1,0.0,0.2,0.55", "emsksd,high,gt_steps,300,0.48,0.38,0.58,0.7",
            "pc,low,gt_klom,300,0.3,0.2,0.4,0.6", "loss,high,gt_klom,300,0.3,0.2,0.4,0.6", "mksd,high,gt_klom,300,-0.1,-0.2,0.0,0.45", "emsksd,high,gt_klom,300,0.2,0.1,0.3,0.6");
        var b = Write("b", "pc,low,gt_steps,300,0.5,0.4,0.6,0.7", "loss,high,gt_steps,300,0.45,0.35,0.55,0.7", "mksd,high,gt_steps,300,0.1,0.0,0.2,0.55", "emsksd,high,gt_steps,300,0.48,0.38,0.58,0.7",
            "pc,low,gt_klom,300,0.1,0.0,0.2,0.6", "loss,high,gt_klom,300,0.1,0.0,0.2,0.6", "mksd,high,gt_klom,300,0.05,-0.05,0.15,0.5", "emsksd,high,gt_klom,300,0.6,0.5,0.7,0.8");
        var sa = Study("a", "mnist"); var sb = Study("b", "fashion-mnist");
        var text = StudyReport.Comparison(sa, a, new[] { (sa, a), (sb, b) });
        text.Should().Contain("| ground truth | score | mnist | fashion-mnist |");
        text.Should().Contain("| gt_klom | EMSKSD | +0.20 [+0.10, +0.30] | +0.60 [+0.50, +0.70] |");
        text.Should().Contain("| gt_klom | MKSD | −0.10 [−0.20, +0.00] | +0.05 [−0.05, +0.15] |");
        text.Should().MatchRegex(@"\| gt_klom \| EMSKSD .* vs PC .*: no \(\|ρ\| not above the baseline's\) \| EMSKSD .* vs PC .*: \*\*beats it\*\* \|");
        text.Should().Contain("**Does the answer change with the data set?** Yes: on mnist no KSD score beats confidence or loss for any ground truth; on fashion-mnist a KSD score beats them for gt_klom.");
        StudyReport.Comparison(sa, a, new[] { (sa, a) }).Should().BeEmpty("no other study to compare with");
    }
}
