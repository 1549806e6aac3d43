using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using FluentAssertions;
using Harness.Forget;
using Harness.Jobs;
using Harness.Models;
using Harness.Reporting;
using Harness.Training;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Forget;

/// <summary>`harness forget` end to end on a small real MNIST model: the outputs, REQUEST.md against request.json, the original untouched.</summary>
public class ForgetJobTests
{
    string dir = "";

    [SetUp] public void SetUp() => dir = TestSupport.TempDir("forget");
    [TearDown] public void TearDown() { if (Directory.Exists(dir)) Directory.Delete(dir, true); }

    ForgetOptions Options(int[] request) => new()
    {
        Train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 600, Threads = 2, Device = DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") },
        Request = request, Ladder = new[] { 0, 10, 30 }, ScoresDir = Path.Combine(dir, "scores"), PopulationModels = 4,
        ReferenceSample = 200, OutDir = Path.Combine(dir, "out"),
    };

    [Test]
    public void WritesTheFourOutputsWhoseNumbersAgreeAndLeavesTheOriginalUntouched()
    {
        var options = Options(new[] { 3, 150, 599 });
        var (trained, _, _) = TrainJob.Run(options.Train, log: _ => { });
        string checkpoint = trained.CheckpointPath;
        string shaBefore = Sha(checkpoint);
        using var originalParams = Flat(trained.Model);
        trained.Model.Dispose();
        // the scores folder holds another kernel's run: forget leaves it alone and scores into --out's scores/
        ScoreJob.Run(new ScoreOptions { Train = options.Train, Scoring = new Harness.Scoring.ScoringOptions { Space = Harness.Scoring.KernelSpace.Joint, TopK = 40 }, OutDir = options.ScoresDir }, log: _ => { });
        string otherMeta = Sha(Path.Combine(options.ScoresDir, "meta.json"));

        var report = ForgetJob.Run(options, new[] { "forget" }, log: _ => { }, draw: RequestReport.Save);
        Sha(Path.Combine(options.ScoresDir, "meta.json")).Should().Be(otherMeta, "another kernel's scoring run is not overwritten");
        report.ScoresSource.Should().StartWith(Path.Combine(options.OutDir, "scores"));
        // The rerun reuses the scores and every rung of the ladder (each a sealed record with its model), and ends where the first run did.
        var rerunLog = new List<string>();
        var rerun = ForgetJob.Run(options, new[] { "forget" }, log: rerunLog.Add, draw: RequestReport.Save);
        rerun.ScoresSource.Should().Be(Path.Combine(options.OutDir, "scores"), "and reused from there next time");
        foreach (var rung in report.Rungs)
            rerunLog.Should().Contain(l => l.StartsWith($"k = {rung.K}: reused ", StringComparison.Ordinal), $"rung k = {rung.K} is reused");
        rerunLog.Should().NotContain(l => l.StartsWith("unlearning ", StringComparison.Ordinal), "no rung is computed again");
        (rerun.Outcome.K, rerun.Outcome.Verdict, rerun.Unlearned.Sha256, rerun.Points.Select(p => p.PhiAfter).ToList())
            .Should().BeEquivalentTo((report.Outcome.K, report.Outcome.Verdict, report.Unlearned.Sha256, report.Points.Select(p => p.PhiAfter).ToList()));
        // A rung whose record changed on disk is computed again, to the same model.
        var first = Path.Combine(options.OutDir, "rungs", $"k{report.Rungs[0].K}.json");
        File.WriteAllText(first, File.ReadAllText(first).Replace("\"succeeded\"", "\"succeeded\" ").Replace("\"k\": ", "\"k\":  "));
        var repairLog = new List<string>();
        ForgetJob.Run(options, new[] { "forget" }, log: repairLog.Add, draw: RequestReport.Save).Unlearned.Sha256.Should().Be(report.Unlearned.Sha256);
        repairLog.Should().Contain(l => l.StartsWith($"unlearning 3 requested point(s) with k = {report.Rungs[0].K} ", StringComparison.Ordinal), "the damaged rung is recomputed");

        Sha(checkpoint).Should().Be(shaBefore, "the original checkpoint is never written");
        var (again, _, _) = TrainJob.Run(options.Train, log: _ => { });
        again.CacheHit.Should().BeTrue();
        using (var p = Flat(again.Model)) p.allclose(originalParams, rtol: 0, atol: 0).Should().BeTrue("the original model's parameters are unchanged");

        foreach (var f in new[] { ForgetJob.RequestJson, ForgetJob.RequestMd, ForgetJob.RequestPng, ForgetJob.UnlearnedPt, ForgetJob.UnlearnedJson })
            File.Exists(Path.Combine(options.OutDir, f)).Should().BeTrue(f);
        new FileInfo(Path.Combine(options.OutDir, ForgetJob.RequestPng)).Length.Should().BeGreaterThan(10_000);

        // request.json, read as plain JSON, against the REQUEST.md table
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(options.OutDir, ForgetJob.RequestJson)));
        var root = json.RootElement;
        root.GetProperty("request").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(3, 150, 599);
        var md = File.ReadAllLines(Path.Combine(options.OutDir, ForgetJob.RequestMd));
        var table = md.SkipWhile(l => l != "## Verdict per record").Skip(4).TakeWhile(l => l.StartsWith('|')).ToList();
        var points = root.GetProperty("points").EnumerateArray().ToList();
        var plan = root.GetProperty("plan").EnumerateArray().ToList();
        table.Should().HaveCount(points.Count);
        for (int r = 0; r < points.Count; r++)
        {
            var cells = table[r].Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
            var pt = points[r];
            var target = plan[r].GetProperty("target");
            int.Parse(cells[0], CultureInfo.InvariantCulture).Should().Be(pt.GetProperty("index").GetInt32());
            long.Parse(cells[1], CultureInfo.InvariantCulture).Should().Be(pt.GetProperty("label").GetInt64());
            string[] Split(string cell) => cell.Split("), ");
            Pred(Split(cells[2])[0] + ")").Should().Be((pt.GetProperty("predicted_before").GetInt64(), Round(pt.GetProperty("confidence_before").GetDouble())));
            Pred(Split(cells[3])[0] + ")").Should().Be((pt.GetProperty("predicted_after").GetInt64(), Round(pt.GetProperty("confidence_after").GetDouble())));
            Split(cells[2])[1].Should().Be(F2(pt.GetProperty("phi_before").GetDouble()));
            Split(cells[3])[1].Should().Be(F2(pt.GetProperty("phi_after").GetDouble()));
            cells[4].Should().Be($"{F2(target.GetProperty("in_mean").GetDouble())} ± {F2(target.GetProperty("in_sd").GetDouble())}");
            cells[5].Should().Be($"{F2(target.GetProperty("out_mean").GetDouble())} ± {F2(target.GetProperty("out_sd").GetDouble())} [{F2(target.GetProperty("low").GetDouble())}, {F2(target.GetProperty("high").GetDouble())}]");
            cells[6].Should().Be($"{target.GetProperty("out_correct").GetInt32()}/{target.GetProperty("out_models").GetInt32()}");
            cells[9].Should().Be(pt.GetProperty("mia_non_member").GetBoolean() ? "non-member" : "member");
            cells[10].Should().Be(pt.GetProperty("verdict_before").GetString());
            cells[11].Should().Be($"**{pt.GetProperty("verdict").GetString()}**");
            // and the verdict is the rule applied to the numbers in the file: one-sided p-values under the out Gaussian against α, LiRA's Λ against its threshold
            double phi = pt.GetProperty("phi_after").GetDouble(), mu = target.GetProperty("out_mean").GetDouble(), sd = target.GetProperty("out_sd").GetDouble();
            double muIn = target.GetProperty("in_mean").GetDouble(), sdIn = target.GetProperty("in_sd").GetDouble(), alpha = target.GetProperty("alpha").GetDouble();
            double upper = 0.5 * Harness.Populations.Normal.Erfc((phi - mu) / (sd * Math.Sqrt(2))), lower = 0.5 * Harness.Populations.Normal.Erfc((mu - phi) / (sd * Math.Sqrt(2)));
            double lira = (-0.5 * Math.Pow((phi - muIn) / sdIn, 2) - Math.Log(sdIn)) - (-0.5 * Math.Pow((phi - mu) / sd, 2) - Math.Log(sd));
            pt.GetProperty("verdict").GetString().Should().Be(upper < alpha || lira > target.GetProperty("lira_threshold").GetDouble() ? Verdicts.NotForgotten
                : lower < alpha ? Verdicts.OverForgotten : Verdicts.MatchesRetrain);
        }
        md.Should().Contain(l => l.Contains(root.GetProperty("outcome").GetProperty("line").GetString()!), "the overall line is in REQUEST.md");

        // the ladder: rungs up to the first success (or all), the kept one last
        var rungs = root.GetProperty("rungs").EnumerateArray().ToList();
        rungs.Take(rungs.Count - 1).Should().NotContain(g => g.GetProperty("succeeded").GetBoolean(), "auto stops at the first k that succeeds");
        root.GetProperty("outcome").GetProperty("k").GetInt32().Should().Be(rungs[^1].GetProperty("k").GetInt32());
        report.Rungs.Select(g => g.K).Should().Equal(new[] { 0, 10, 30 }.Take(rungs.Count));

        // the unlearned checkpoint loads and gives the p(y|x) the report states
        var data = TestSupport.Mnist with { Train = TestSupport.Mnist.Train.Take(600) };
        using var model = ModelFactory.Create("cnn2", data.Train);
        model.load(Path.Combine(options.OutDir, ForgetJob.UnlearnedPt));
        Sha(Path.Combine(options.OutDir, ForgetJob.UnlearnedPt)).Should().Be(report.Unlearned.Sha256);
        var rows = Harness.Scoring.HeldoutKl.LogSoftmax(model, data.Train, report.Request, CPU);
        for (int r = 0; r < rows.Length; r++)
            Math.Exp(rows[r][data.Train.Labels[report.Request[r]]]).Should().BeApproximately(report.Points[r].ConfidenceAfter, 1e-9);
    }

    static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    [Test]
    public void ARequestOutsideTheTrainingSetFailsBeforeAnythingIsWritten()
    {
        var options = Options(new[] { 3, 600 });
        var act = () => ForgetJob.Run(options, new[] { "forget" }, log: _ => { });
        act.Should().Throw<HarnessException>().WithMessage("--indices: index 600 is out of range; the training set has 600 points (0 to 599).");
        Directory.Exists(options.OutDir).Should().BeFalse("nothing half-written");
        var unknown = () => ForgetJob.Run(Options(new[] { 3 }) with { Algorithm = "scrub" }, new[] { "forget" }, log: _ => { });
        unknown.Should().Throw<HarnessException>().WithMessage("*unknown unlearning algorithm 'scrub'*");
    }

    static (long, double) Pred(string cell)
    {
        var parts = cell.Split(new[] { ' ', '(', ')' }, StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    static double Round(double p) => double.Parse(RequestReport.P(p), CultureInfo.InvariantCulture);

    static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    static Tensor Flat(nn.Module<Tensor, Tensor> m) => cat(m.parameters().Select(p => p.detach().flatten()).ToArray()).clone();
}
