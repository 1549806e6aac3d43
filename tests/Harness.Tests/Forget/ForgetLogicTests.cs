using Harness.Experiments;
using FluentAssertions;
using Harness.Forget;
using Harness.Unlearning;
using Harness.Scoring.Scorers;
using NUnit.Framework;

namespace Harness.Tests.Forget;

/// <summary>The pieces of `harness forget` that decide: verdicts, the ladder's stopping rule, forget sets, request parsing, percentiles, study deciles.</summary>
public class ForgetLogicTests
{
    /// <summary>
    /// Four population models, one record (0): the two that saw it give φ 4 and 6, the two that never did 0 and 2, so the
    /// out Gaussian is N(1, 2) and the in one N(5, 2) (LiRA's global deviations, √2 on each side, as fewer than 64 models).
    /// </summary>
    static RetrainTarget Target(double alpha = 0.01, double threshold = 1.0)
    {
        bool[][] members = { new[] { true, false }, new[] { false, true }, new[] { true, true }, new[] { false, false } };
        double[][] phi = { new[] { 4.0, 1 }, new[] { 0.0, 1 }, new[] { 6.0, 3 }, new[] { 2.0, -1 } };
        bool[][] correct = { new[] { true, true }, new[] { false, true }, new[] { true, true }, new[] { true, false } };
        var population = new Harness.Populations.Population(members, phi.Select((p, m) => new Harness.Populations.Confidences(p, correct[m])).ToList(),
            phi.Select(_ => new Harness.Populations.Confidences(new[] { 0.0 }, new[] { true })).ToList());
        return RetrainTarget.From(population, 0, alpha, threshold);
    }

    [Test]
    public void EachVerdictComesFromTheOutDistributionAndLiraAtTheStatedThresholds()
    {
        var t = Target();
        (t.OutMean, t.InMean, t.OutModels, t.InModels, t.OutCorrect).Should().Be((1.0, 5.0, 2, 2, 1));
        t.OutSd.Should().BeApproximately(Math.Sqrt(2), 1e-12);
        // the interval a never-saw-it model lands in with probability 98 %: 1 ± z₀.₉₉ √2, z₀.₉₉ = 2.3263
        t.Low.Should().BeApproximately(1 - 2.326348 * Math.Sqrt(2), 1e-5);
        t.High.Should().BeApproximately(1 + 2.326348 * Math.Sqrt(2), 1e-5);
        // φ = 5: P(φ' ≥ 5) = P(Z ≥ 2.83) = 0.0023 < 0.01
        t.UpperP(5).Should().BeApproximately(0.5 * Harness.Populations.Normal.Erfc(2), 1e-12);
        Verdicts.Judge(5, t).Should().Be(Verdicts.NotForgotten, "still higher than models that never saw it give");
        // φ = 3.6: p = 0.033 is not below α, but Λ = ((3.6 − 1)² − (3.6 − 5)²) / 4 = 1.2 exceeds the threshold 1: LiRA calls it a member
        t.Lira(3.6).Should().BeApproximately(1.2, 1e-12);
        Verdicts.Judge(3.6, t).Should().Be(Verdicts.NotForgotten, "LiRA still calls it a member");
        Verdicts.Judge(3.6, Target(threshold: 2)).Should().Be(Verdicts.MatchesRetrain, "with a higher member threshold it is within the out distribution");
        Verdicts.Judge(1, t).Should().Be(Verdicts.MatchesRetrain, "the out mean itself");
        // φ = −3: P(φ' ≤ −3) = P(Z ≤ −2.83) = 0.0023 < 0.01
        t.LowerP(-3).Should().BeApproximately(0.5 * Harness.Populations.Normal.Erfc(2), 1e-12);
        Verdicts.Judge(-3, t).Should().Be(Verdicts.OverForgotten, "pushed below what never-saw-it models give");
        Verdicts.Judge(-3, Target(alpha: 0.001)).Should().Be(Verdicts.MatchesRetrain, "at α = 0.001 the same φ is within the interval");
        var nan = () => Verdicts.Judge(double.NaN, t);
        nan.Should().Throw<HarnessException>().WithMessage("*NaN*");
        var badAlpha = () => Target(alpha: 0.7);
        badAlpha.Should().Throw<HarnessException>().WithMessage("*--alpha*");
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
        RemovalExpansion.ForgetSet(new[] { 5, 2 }, Row, 0).Should().Equal(5, 2);
        RemovalExpansion.ForgetSet(new[] { 5, 2 }, Row, 2).Should().Equal(5, 2, 7);
        RemovalExpansion.ForgetSet(new[] { 5, 2 }, Row, 3).Should().Equal(5, 2, 7, 9, 1);
        var act = () => RemovalExpansion.ForgetSet(new[] { 5 }, Row, 4);
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
                    population: { models: 4 }
                studies:
                  s:
                    matrix: m
                    dataset: mnist
                    kernel: joint-dimension
                    n: 3
                    scorers: [pc, emsksd, heldout_kl]
                    ground_truths: [gt_steps]
                """);
            var file = Harness.Experiments.ExperimentsFile.Load(config);
            var results = Path.Combine(dir, "results");
            var joint = new Harness.Scoring.ScoringOptions { Space = Harness.Scoring.KernelSpace.Joint, Bandwidth = Harness.Scoring.Bandwidth.Dimension };
            List<StudyUse> Uses(Harness.Scoring.ScoringOptions scoring, int population = 4) =>
                ForgetPlanning.Studies(file, results, "mnist", "cnn2", "abc", scoring, population).Select(x => x.Use).ToList();

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
            Uses(joint, population: 16).Single().Scorers.Should().Equal(new[] { "pc", "emsksd" }, "held-out KL of another population is another number");
        }
        finally { Directory.Delete(dir, true); }
    }
}
