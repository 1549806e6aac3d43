using Harness.Experiments;
using System.Globalization;
using FluentAssertions;
using Harness.Config;
using Harness.Scoring.Scorers;
using Harness.Study;
using NUnit.Framework;

namespace Harness.Tests.Study;

/// <summary>
/// A whole study on a tiny matrix (300 MNIST points, 1 epoch): its tables agree with its points; resumed and sharded runs
/// give the same tables as an uninterrupted one; the baseline is verified; experiments.yaml mistakes name their line.
/// </summary>
[NonParallelizable]
public class StudyRunTests
{
    string dir = "", config = "", cache = "";

    const string Yaml = """
        matrices:
          tiny:
            datasets: [mnist]
            scorers: [pc, mksd]
            kernels:
              - { space: joint, bandwidth: dimension }
            sides: [easy, hard]
            points: 1
            unlearners: [gradascent]
            expansions: [0, 5]
            seeds: [0]
            training: { epochs: 1, threads: 2, device: cpu, train_limit: 300, test_limit: 300, canaries: 20, canary_seed: 4 }
            population: { models: 4, held_out: 30, calibration: test_quantiles }
        studies:
          tiny-study:
            matrix: tiny
            dataset: mnist
            kernel: joint-dimension
            n: 12
            scorers: [pc, mksd, msksd, ssn, emsksd, loss, margin, entropy, grad_norm, learning_events, heldout_kl]
            ground_truths: [gt_steps, gt_expansion, gt_collateral, gt_memorization, gt_oracle_steps, gt_ulira_eps, gt_klom, gt_ulira_shift]
            ulira_models: 2
            probe: { lr: 0.3, max_steps: 20 }
            ladder: [0, 5]
          strata-study:
            matrix: tiny
            dataset: mnist
            kernel: joint-dimension
            candidates: all
            sample: strata
            n: 8
            scorers: [pc, loss]
            ground_truths: [gt_memorization]
        """;

    [OneTimeSetUp]
    public void SetUp()
    {
        dir = TestSupport.TempDir("study");
        config = Path.Combine(dir, "experiments.yaml");
        cache = Path.Combine(dir, "cache");
        File.WriteAllText(config, Yaml);
    }

    [OneTimeTearDown] public void TearDown() => Directory.Delete(dir, true);

    StudyRunner Runner(string results) => new(ExperimentsFile.Load(config), ExperimentsFile.Load(config).Study("tiny-study"), results, cacheRoot: cache, log: _ => { });

    static string Read(string results, string file) => File.ReadAllText(Path.Combine(results, "tiny-study", file));

    [Test]
    public void SummaryAgreesWithPointsAndResumedOrShardedRunsEqualAnUninterruptedOne()
    {
        var full = Path.Combine(dir, "full");
        var outcome = Runner(full).Run((0, 1));
        outcome.Computed.Should().Be(12);
        var summary = Read(full, "summary.csv");
        var points = Read(full, "points.csv");

        // Every Spearman value recomputed from points.csv, with the score oriented by its hard end; every interval holds its estimate.
        var pl = points.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = pl[0].Split(',');
        header[..2].Should().Equal("index", "label");
        header[^2..].Should().Equal("censored_steps", "censored_expansion");
        double[] Col(string c) => pl.Skip(1).Select(l => double.Parse(l.Split(',')[Array.IndexOf(header, c)], CultureInfo.InvariantCulture)).ToArray();
        var sl = summary.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        sl[0].Should().Be("scorer,hard_end,ground_truth,n,spearman,ci_low,ci_high,auroc");
        sl.Should().HaveCount(1 + 11 * 8);
        foreach (var row in sl.Skip(1).Select(l => l.Split(',')))
        {
            var scorer = ScorerRegistry.Get(row[0]);
            row[1].Should().Be(scorer.HardEnd == HardEnd.High ? "high" : "low");
            var x = Col(row[0]).Select(v => ScorerRegistry.Oriented(scorer, v)).ToArray();
            double rho = double.Parse(row[4], CultureInfo.InvariantCulture), lo = double.Parse(row[5], CultureInfo.InvariantCulture), hi = double.Parse(row[6], CultureInfo.InvariantCulture);
            var expected = Statistics.Spearman(x, Col(row[2]));
            if (double.IsNaN(expected)) { double.IsNaN(rho).Should().BeTrue(); continue; }
            rho.Should().Be(expected, $"{row[0]} × {row[2]}");
            // A percentile bootstrap interval need not hold its estimate: at n = 12 with ground truths full of ties (most points
            // of this 1-epoch model need 0 oracle steps) the resampled ρ can sit on one side of it (msksd × gt_oracle_steps: ρ
            // −0.480, interval up to −0.482). The interval itself is tested against a direct computation in StatisticsTests.
            lo.Should().BeLessThanOrEqualTo(hi, $"{row[0]} × {row[2]}");
        }
        Col("gt_memorization").Should().OnlyContain(v => v >= -1 && v <= 1);
        Col("gt_oracle_steps").Should().OnlyContain(v => v >= 0 && v <= 21);
        Col("gt_ulira_eps").Should().OnlyContain(v => v >= 0 && v <= Harness.Populations.PerExampleEpsilon.Cap);
        Col("gt_klom").Should().OnlyContain(v => v >= 0);
        Col("gt_ulira_shift").Should().OnlyContain(v => double.IsFinite(v));
        Col("censored_steps").Zip(Col("gt_steps")).Should().OnlyContain(t => t.First == 0 ? t.Second <= 20 : t.Second == 21);
        // the population's LiRA ROC curve, kept in its sealed summary for the figures to draw
        var population = Harness.Util.Json.Deserialize<Harness.Experiments.PopulationSummary>(File.ReadAllText(new Harness.Runs.ResultsLayout(full).Population("tiny", "mnist", 0).Summary));
        var (fpr, tpr) = (population.RocFpr!, population.RocTpr!);
        fpr.Should().HaveCount(60).And.BeInAscendingOrder().And.OnlyContain(f => f > 0 && f <= 1);
        tpr.Should().HaveCount(60).And.BeInAscendingOrder().And.OnlyContain(t => t >= 0 && t <= 1);
        // the canaries' positive control and the member call's measured FPR, kept in the summary with the calibration
        population.Power!.Select(g => (g.Group, g.Points)).Should().Equal(("canaries", 20), ("other points", 280));
        population.HeldOutCheck!.Points.Should().Be(30);
        population.HeldOutCheck.Nominal.Should().Be(0.01);
        (population.HeldOutCheck.Low, population.HeldOutCheck.High).Should().Be(Harness.Populations.MemberCallCheck.ClopperPearson(population.HeldOutCheck.Called, 30));
        population.Calibration.Should().Be("test_quantiles");
        population.MemberCalibration.IsNone.Should().BeFalse("the cells' and the study's member calls use it");
        population.CalibrationFrom.Should().HaveCount(Harness.Populations.PhiCalibration.Quantiles).And.BeInAscendingOrder();
        File.ReadAllText(new Harness.Runs.ResultsLayout(full).Population("tiny", "mnist", 0).AttackMarkdown).Should()
            .StartWith("| what these instruments detect |").And.Contain("without 30 seeded held-out points");

        // Two shards into a fresh folder: the first leaves the tables unwritten, the second finishes them, identically.
        var sharded = Path.Combine(dir, "sharded");
        var first = Runner(sharded).Run((0, 2));
        first.Summary.Should().BeNull();
        first.Missing.Should().BeGreaterThan(0);
        var second = Runner(sharded).Run((1, 2));
        (first.Computed + second.Computed).Should().Be(12);
        Read(sharded, "summary.csv").Should().Be(summary);
        Read(sharded, "points.csv").Should().Be(points);

        // Interrupted: three points lost (a killed run leaves no partial file: each is written atomically); the rerun computes only those.
        foreach (var f in Directory.GetFiles(Path.Combine(full, "tiny-study", "points")).Order().Take(3)) File.Delete(f);
        var resumed = Runner(full).Run((0, 1));
        (resumed.Computed, resumed.Reused).Should().Be((3, 9));
        Read(full, "summary.csv").Should().Be(summary);

        // The baseline: accepted, verified, then a changed value fails naming the row and column.
        var spec = ExperimentsFile.Load(config).Study("tiny-study");
        var studyDir = new Harness.Runs.ResultsLayout(full).Study("tiny-study");
        StudyTables.Accept(spec, studyDir, "test");
        StudyTables.Verify(spec, studyDir);
        var verified = StudyTables.VerifiedPath(studyDir);
        var lines = File.ReadAllLines(verified);
        var f1 = lines[1].Split(','); f1[4] = "0.123"; lines[1] = string.Join(",", f1);
        File.WriteAllLines(verified, lines);
        var act = () => StudyTables.Verify(spec, studyDir);
        act.Should().Throw<VerificationFailedException>().WithMessage($"study tiny-study differs from {verified} in 1 value(s):*{f1[0]}/{f1[2]}: spearman 0.123 → *");
        File.Exists(studyDir.Received).Should().BeTrue();
    }

    [Test]
    public void AStratifiedStudyDrawsAcrossTheMemorizationStrataCanariesIncluded()
    {
        var results = Path.Combine(dir, "strata");
        var file = ExperimentsFile.Load(config);
        var outcome = new StudyRunner(file, file.Study("strata-study"), results, cacheRoot: cache, log: _ => { }).Run((0, 1));
        outcome.Summary!.Strata.Should().NotBeNull();
        var lines = File.ReadAllLines(Path.Combine(results, "strata-study", "points.csv"));
        var header = lines[0].Split(',');
        header[^1].Should().Be("stratum");
        var strata = lines.Skip(1).Select(l => l.Split(',')[^1]).ToList();
        strata.Should().HaveCount(8).And.Contain("canaries", "20 of the 300 training points are canaries");
        strata.Should().OnlyContain(x => Harness.Study.StudySampling.StrataNames.Contains(x));
        var memorization = lines.Skip(1).Select(l => double.Parse(l.Split(',')[Array.IndexOf(header, "gt_memorization")], CultureInfo.InvariantCulture)).ToList();
        for (int k = 0; k < strata.Count; k++)
            if (strata[k] == "high") memorization[k].Should().BeGreaterThanOrEqualTo(0.5);
            else if (strata[k] == "low") memorization[k].Should().BeLessThanOrEqualTo(0);
        File.ReadAllText(Path.Combine(results, "strata-study", "strata-study-summary-github.md")).Should().Contain("| stratum | points | gt_memorization |");
    }

    /// <summary>
    /// Storage faults in a finished study: one bit flipped in a point's record and in a population model's φ table. The
    /// rerun computes that point and that model again (nothing else) and writes the undisturbed tables; and the audit's
    /// recomputation of a point gives, bit for bit, the ground truths points.csv holds for it.
    /// </summary>
    [Test]
    public void ADamagedPointRecordOrPhiTableIsComputedAgainAndAnAuditedPointMatches()
    {
        var whole = Path.Combine(dir, "whole");
        if (!File.Exists(Path.Combine(whole, "tiny-study", "summary.csv"))) Runner(whole).Run((0, 1)).Computed.Should().Be(12);
        var damaged = Path.Combine(dir, "damaged");
        if (Directory.Exists(damaged)) Directory.Delete(damaged, true);
        foreach (var f in Directory.GetFiles(whole, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(damaged, Path.GetRelativePath(whole, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        void Flip(string path, int from)
        {
            var bytes = File.ReadAllBytes(path);
            bytes[from + (bytes.Length - from) / 2] ^= 0x10;
            File.WriteAllBytes(path, bytes);
        }
        var point = Directory.GetFiles(Path.Combine(damaged, "tiny-study", "points"), "*.json").Order(StringComparer.Ordinal).First();
        Flip(point, 0);
        var phi = new Harness.Runs.ResultsLayout(damaged).Population("tiny", "mnist", 0).Confidences(1);
        Flip(phi, 128); // past the .npy header: a value of the table

        var log = new List<string>();
        var outcome = new StudyRunner(ExperimentsFile.Load(config), ExperimentsFile.Load(config).Study("tiny-study"), damaged, cacheRoot: cache, log: log.Add).Run((0, 1));
        (outcome.Computed, outcome.Reused).Should().Be((1, 11), "only the damaged point is computed again");
        log.Should().Contain(l => l.Contains("m01") || l.Contains("model 1"), "the damaged φ table is named:\n" + string.Join("\n", log));
        Read(damaged, "points.csv").Should().Be(Read(whole, "points.csv"));
        Read(damaged, "summary.csv").Should().Be(Read(whole, "summary.csv"));

        // what `verify --audit` does with a study point: computed afresh elsewhere, its probes' ground truths as points.csv has them
        var runner = Runner(whole);
        int index = int.Parse(Path.GetFileNameWithoutExtension(point), CultureInfo.InvariantCulture);
        var scratch = Path.Combine(dir, "audit-points");
        Directory.CreateDirectory(scratch);
        var ownRecord = Path.Combine(whole, "tiny-study", "points", Path.GetFileName(point));
        var before = File.ReadAllText(ownRecord);
        var recomputed = runner.Recompute([index], scratch).Single();
        File.ReadAllText(ownRecord).Should().Be(before, "the audit writes its point elsewhere");
        File.Exists(Path.Combine(scratch, $"{index}.json")).Should().BeTrue();
        var lines = Read(whole, "points.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var row = lines.Skip(1).Select(l => l.Split(',')).Single(f => f[0] == $"{index}");
        var truths = runner.ProbeTruths(recomputed);
        truths.Keys.Should().Contain(new[] { "gt_steps", "gt_expansion", "gt_collateral", "gt_oracle_steps", "gt_ulira_eps", "gt_klom", "censored_steps", "censored_expansion" });
        foreach (var (column, value) in truths)
            BitConverter.DoubleToInt64Bits(double.Parse(row[Array.IndexOf(header, column)], CultureInfo.InvariantCulture)).Should().Be(BitConverter.DoubleToInt64Bits(value), column);
    }

    [TestCase("n: 12", "n: 100000", "*n = 100000, but only *")]
    public void TooFewCandidatesIsOneClearError(string from, string to, string message)
    {
        var path = Path.Combine(dir, "few.yaml");
        File.WriteAllText(path, Yaml.Replace(from, to));
        var file = ExperimentsFile.Load(path);
        var act = () => new StudyRunner(file, file.Study("tiny-study"), Path.Combine(dir, "few"), cacheRoot: cache, log: _ => { }).Run((0, 1));
        act.Should().Throw<HarnessException>().WithMessage(message);
    }

    [TestCase("matrix: tiny\n    dataset", "matrix: huge\n    dataset", "*:16: studies.tiny-study.matrix: no matrix 'huge'*")]
    [TestCase("kernel: joint-dimension\n    n", "kernel: input-median\n    n", "*studies.tiny-study.kernel: matrix 'tiny' has no kernel 'input-median'; its kernels: joint-dimension*")]
    [TestCase("ulira_models: 2", "half_models: 8", "*studies.tiny-study.half_models: the half-data models were replaced by the matrix's population*")]
    [TestCase("    population: { models: 4, held_out: 30, calibration: test_quantiles }\n", "", "*gt_memorization, gt_oracle_steps, gt_ulira_eps, gt_klom, gt_ulira_shift, heldout_kl need the reference models of matrix 'tiny'*")]
    [TestCase("population: { models: 4,", "population: { models: 5,", "*matrices.tiny.population.models = 5 must be even*")]
    [TestCase("population: { models: 4,", "population: { modles: 4,", "*unknown key 'modles'*")]
    [TestCase("calibration: test_quantiles", "calibration: magic", "*matrices.tiny.population*magic*")]
    [TestCase("ladder: [0, 5]", "ladder: [0, 50]", "*studies.tiny-study.ladder reaches k = 50, but matrix 'tiny' keeps top-5 neighbours*")]
    [TestCase("ground_truths: [gt_steps,", "ground_truths: [gt_stepz,", "*studies.tiny-study.ground_truths: unknown ground truth 'gt_stepz'*")]
    [TestCase("n: 12", "n: 12\n    bootstrap: 100", "*studies.tiny-study.bootstrap*")]
    [TestCase("ulira_models: 2", "ulira_model: 2", "*unknown key 'ulira_model'*")]
    public void StudyMistakesNameTheLine(string from, string to, string message)
    {
        var path = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(path, Yaml.Replace(from, to));
        var act = () => ExperimentsFile.Load(path);
        act.Should().Throw<HarnessException>().WithMessage(message);
    }
}
