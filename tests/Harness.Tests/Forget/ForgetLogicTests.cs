using Harness.Experiments;
using FluentAssertions;
using Harness.Forget;
using Harness.Scoring.Scorers;
using NUnit.Framework;

namespace Harness.Tests.Forget;

/// <summary>The pieces of `harness forget` that decide: verdicts, the ladder's stopping rule, forget sets, request parsing, percentiles, study deciles.</summary>
public class ForgetLogicTests
{
    static RetrainTarget Target(params double[] p) => RetrainTarget.From(p, p.Select(x => x > 0.5).ToArray(), tolerance: 0.01);

    [Test]
    public void EachVerdictIsReachedAndTheIntervalIsTheNeverSawItSpreadWidenedByTheTolerance()
    {
        var t = Target(0.6, 0.7, 0.8, 0.4);
        t.Low.Should().BeApproximately(0.39, 1e-12);
        t.High.Should().BeApproximately(0.81, 1e-12);
        t.MeanConfidence.Should().BeApproximately(0.625, 1e-12);
        t.ShareCorrect.Should().Be(0.75);
        Verdicts.Judge(0.95, t).Should().Be(Verdicts.NotForgotten, "still more confident than every model that never saw it");
        Verdicts.Judge(0.81, t).Should().Be(Verdicts.MatchesRetrain, "the interval's ends belong to it");
        Verdicts.Judge(0.5, t).Should().Be(Verdicts.MatchesRetrain);
        Verdicts.Judge(0.39, t).Should().Be(Verdicts.MatchesRetrain);
        Verdicts.Judge(0.05, t).Should().Be(Verdicts.OverForgotten, "pushed below what never-saw-it models predict");
        Target(0.999, 0.9995).High.Should().Be(1, "the interval stays within [0, 1]");
        var nan = () => Verdicts.Judge(double.NaN, t);
        nan.Should().Throw<HarnessException>().WithMessage("*NaN*");
        var none = () => RetrainTarget.From(Array.Empty<double>(), Array.Empty<bool>(), 0.01);
        none.Should().Throw<HarnessException>();
    }

    [Test]
    public void ARungSucceedsUnlessAPointIsStillRemembered()
    {
        Verdicts.Reached(new[] { Verdicts.MatchesRetrain, Verdicts.OverForgotten }).Should().BeTrue();
        Verdicts.Reached(new[] { Verdicts.MatchesRetrain, Verdicts.NotForgotten }).Should().BeFalse();
        Verdicts.Summary(new[] { Verdicts.MatchesRetrain, Verdicts.NotForgotten, Verdicts.OverForgotten, Verdicts.MatchesRetrain })
            .Should().Be("2 of 4 match retraining, 1 not forgotten, 1 over-forgotten");
    }

    [Test]
    public void AutoStopsAtTheFirstKThatSucceedsAndReleasesTheRungsBefore()
    {
        var ran = new List<int>();
        var discarded = new List<int>();
        var (rungs, kept) = ExpansionLadder.Run(ExpansionLadder.Auto, k => { ran.Add(k); return k; }, k => k >= 30, discarded.Add);
        ran.Should().Equal(0, 10, 30);
        rungs.Should().Equal(0, 10, 30);
        kept.Should().Be(2);
        discarded.Should().Equal(0, 10);

        ran.Clear(); discarded.Clear();
        (rungs, kept) = ExpansionLadder.Run(ExpansionLadder.Auto, k => { ran.Add(k); return k; }, _ => false, discarded.Add);
        ran.Should().Equal(ExpansionLadder.Auto, "no rung succeeds: every k is tried");
        kept.Should().Be(ExpansionLadder.Auto.Length - 1, "and the last is kept");
        discarded.Should().Equal(0, 10, 30, 100, 300);

        (rungs, kept) = ExpansionLadder.Run(ExpansionLadder.Auto, k => k, _ => true, discarded.Add);
        rungs.Should().Equal(0);
        kept.Should().Be(0);
    }

    [Test]
    public void TheForgetSetIsTheRequestThenEachPointsNeighboursInRankOrderEachOnce()
    {
        var rows = new Dictionary<int, int[]> { [5] = new[] { 7, 2, 9 }, [2] = new[] { 5, 7, 1 } };
        ReadOnlyMemory<int> Row(int i) => rows[i];
        ExpansionLadder.ForgetSet(new[] { 5, 2 }, Row, 0).Should().Equal(5, 2);
        ExpansionLadder.ForgetSet(new[] { 5, 2 }, Row, 2).Should().Equal(5, 2, 7);
        ExpansionLadder.ForgetSet(new[] { 5, 2 }, Row, 3).Should().Equal(5, 2, 7, 9, 1);
        var act = () => ExpansionLadder.ForgetSet(new[] { 5 }, Row, 4);
        act.Should().Throw<HarnessException>().WithMessage("*needs 4 neighbours*keep 3*");
    }

    [Test]
    public void RequestsParseAndEveryBadInputIsOneClearError()
    {
        DeletionRequest.Parse("17, 4242,0").Should().Equal(17, 4242, 0);
        var empty = () => DeletionRequest.Parse(" ");
        empty.Should().Throw<HarnessException>().WithMessage("--indices: no indices given*");
        var word = () => DeletionRequest.Parse("17,x2");
        word.Should().Throw<HarnessException>().WithMessage("--indices: entry 2: 'x2' is not a training-set index*");
        var gap = () => DeletionRequest.Parse("1,,2");
        gap.Should().Throw<HarnessException>().WithMessage("*entry 2 is empty*");
        var negative = () => DeletionRequest.Parse("-3");
        negative.Should().Throw<HarnessException>().WithMessage("*'-3' is not a training-set index*");

        var dir = TestSupport.TempDir("request");
        try
        {
            var good = Path.Combine(dir, "good.txt");
            File.WriteAllText(good, "# records of user 12\n17\n\n4242  # the second\n");
            DeletionRequest.ReadFile(good).Should().Equal(17, 4242);
            var bad = Path.Combine(dir, "bad.txt");
            File.WriteAllText(bad, "17\n4242\n12.5\n");
            var line = () => DeletionRequest.ReadFile(bad);
            line.Should().Throw<HarnessException>().WithMessage($"{bad}:3: '12.5' is not a training-set index*");
            var blank = Path.Combine(dir, "empty.txt");
            File.WriteAllText(blank, "\n# nothing\n");
            var none = () => DeletionRequest.ReadFile(blank);
            none.Should().Throw<HarnessException>().WithMessage($"{blank}: the file lists no indices*");
            var missing = () => DeletionRequest.ReadFile(Path.Combine(dir, "nope.txt"));
            missing.Should().Throw<HarnessException>().WithMessage("*file not found*");
        }
        finally { Directory.Delete(dir, true); }

        var range = () => DeletionRequest.Check(new[] { 3, 60000 }, 54000, "--indices");
        range.Should().Throw<HarnessException>().WithMessage("--indices: index 60000 is out of range; the training set has 54000 points (0 to 53999).");
        var twice = () => DeletionRequest.Check(new[] { 3, 8, 3 }, 54000, "--indices");
        twice.Should().Throw<HarnessException>().WithMessage("--indices: index 3 is listed more than once*");
    }

    [Test]
    public void HardnessPercentilesFollowEachScorersHardEnd()
    {
        var reference = new double[] { 1, 2, 3, 4 };
        ForgetPlanning.HardnessPercentile(ScorerRegistry.Get("pc"), 4, reference).Should().Be(87.5, "pc: high is hard; 3 below, one tie counted half");
        ForgetPlanning.HardnessPercentile(ScorerRegistry.Get("ssn"), 4, reference).Should().Be(12.5, "ssn: low is hard, so the largest value is among the easiest");
        ForgetPlanning.HardnessPercentile(ScorerRegistry.Get("pc"), 0, reference).Should().Be(0);
        ForgetPlanning.Decile(100).Should().Be(9);
        ForgetPlanning.Decile(9.99).Should().Be(0);
    }

    [Test]
    public void AStudyLookupReportsTheGroundTruthsOfItsPointsInTheSameDecile()
    {
        // 20 study points with pc = 0.05, 0.10, ..., 1.00 and gt_steps = 10 × rank; every fourth censored.
        var header = new[] { "index", "label", "pc", "gt_steps", "censored_steps" };
        var rows = Enumerable.Range(1, 20).Select(r => new[] { $"{r}", "0", (r * 0.05).ToString("R", System.Globalization.CultureInfo.InvariantCulture), $"{r * 10}", r % 4 == 0 ? "1" : "0" }).ToList();
        var l = ForgetPlanning.Lookup("s", ScorerRegistry.Get("pc"), 0.93, header, rows)!;
        l.Decile.Should().Be(9, "0.93 is harder than 18 of the 20 points: percentile 90");
        l.Points.Should().Be(2, "the two study points in the top decile: 0.95 and 1.00");
        var steps = l.Truths.Single(t => t.GroundTruth == "gt_steps");
        steps.Quartiles.Median.Should().Be(195);
        steps.CensoredShare.Should().Be(0.5, "point 20 is censored, point 19 is not");
        ForgetPlanning.Lookup("s", ScorerRegistry.Get("emsksd"), 1, header, rows).Should().BeNull("the study has no emsksd column");
    }

    [Test]
    public void AStudyIsComparedOnlyOnItsOwnCheckpointAndKernelScoresOnlyWithItsKernel()
    {
        var dir = TestSupport.TempDir("forget-studies");
        try
        {
            var config = Path.Combine(dir, "experiments.yaml");
            File.WriteAllText(config, """
                matrices:
                  m:
                    datasets: [mnist]
                    scorers: [pc, emsksd]
                    kernels:
                      - { space: joint, bandwidth: dimension }
                    sides: [easy]
                    points: 1
                    unlearners: [gradascent]
                    expansions: [0]
                    seeds: [0]
                studies:
                  s:
                    matrix: m
                    dataset: mnist
                    kernel: joint-dimension
                    n: 3
                    scorers: [pc, emsksd, heldout_kl]
                    ground_truths: [gt_steps]
                    half_models: 2
                    half_epochs: 1
                """);
            var file = Harness.Experiments.ExperimentsFile.Load(config);
            var results = Path.Combine(dir, "results");
            var joint = new Harness.Scoring.ScoringOptions { Space = Harness.Scoring.KernelSpace.Joint, Bandwidth = Harness.Scoring.Bandwidth.Dimension };
            List<StudyUse> Uses(Harness.Scoring.ScoringOptions scoring, int halves = 2) =>
                ForgetPlanning.Studies(file, results, "mnist", "cnn2", "abc", scoring, halves, 1).Select(x => x.Use).ToList();

            Uses(joint).Single().Note.Should().Contain("no results");
            Directory.CreateDirectory(Path.Combine(results, "s"));
            File.WriteAllText(Path.Combine(results, "s", "points.csv"), "index,label,pc,emsksd,heldout_kl,gt_steps,censored_steps\n1,0,0.9,3,0.1,4,0\n2,0,0.5,2,0.2,7,0\n3,0,0.99,5,0.3,101,1\n");
            Uses(joint).Single().Note.Should().Contain("no provenance.json");
            File.WriteAllText(Path.Combine(results, "s", "provenance.json"), "{\"checkpoint_sha256\": \"other\"}");
            var other = Uses(joint).Single();
            other.Used.Should().BeFalse();
            other.Note.Should().Contain("another model");
            File.WriteAllText(Path.Combine(results, "s", "provenance.json"), "{\"checkpoint_sha256\": \"abc\"}");
            Uses(joint).Single().Scorers.Should().Equal("pc", "emsksd", "heldout_kl");
            Uses(new Harness.Scoring.ScoringOptions()).Single().Scorers.Should().Equal(new[] { "pc", "heldout_kl" }, "EMSKSD of another kernel is another number");
            Uses(joint, halves: 4).Single().Scorers.Should().Equal(new[] { "pc", "emsksd" }, "held-out KL of other half-data models is another number");
        }
        finally { Directory.Delete(dir, true); }
    }
}
