using Harness.Runs;
using FluentAssertions;
using Harness.Config;
using Harness.Experiments;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

/// <summary>
/// Results that cannot be stale: a finished cell is reused only while its fingerprint is what the current YAML and code
/// give; merge never mixes cells made from different inputs; a code change invalidates cells, checkpoints and scores.
/// In-process runs of a tiny real matrix (300 MNIST images, one epoch).
/// </summary>
[NonParallelizable]
public class FingerprintTests
{
    string dir = "", cache = "";

    const string Tiny = """
        matrices:
          fp:
            datasets: [mnist]
            scorers: [pc]
            sides: [easy, hard]
            points: 1
            unlearners: [gradascent, fisher]
            expansions: [0, 2]
            seeds: [0]
            training: { epochs: 1, threads: 2, device: cpu, train_limit: 300, test_limit: 300 }
            scoring: { top_k: 2 }
            unlearning:
              gradascent: { lr: 0.0001 }
              fisher: { fisher_samples: 100 }
        """;

    [SetUp]
    public void SetUp()
    {
        dir = TestSupport.TempDir("fingerprint");
        cache = Path.Combine(dir, "cache");
    }

    [TearDown]
    public void TearDown()
    {
        Environment.SetEnvironmentVariable("HARNESS_CODE_SALT", null);
        Environment.SetEnvironmentVariable("HARNESS_CODE_SALT_SCORING", null);
        Directory.Delete(dir, true);
    }

    (MatrixSpec Matrix, List<string> Log, IReadOnlyList<CellOutcome> Outcomes) Run(string yaml, string results)
    {
        var path = Path.Combine(dir, "experiments.yaml");
        File.WriteAllText(path, yaml);
        var file = ExperimentsFile.Load(path);
        var matrix = file.Matrix("fp");
        var log = new List<string>();
        var runner = new MatrixRunner(file, matrix, results, cacheRoot: cache, log: log.Add);
        var outcomes = runner.Run(Matrices.Cells(matrix));
        return (matrix, log, outcomes);
    }

    static string[] Table(MatrixSpec m, string results) =>
        MatrixTable.ToCsv(MatrixTable.Collect(m, results).Rows).Split('\n').Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();

    [Test]
    public void AChangedSettingRecomputesExactlyTheAffectedCellsAndSaysWhy()
    {
        var results = Path.Combine(dir, "results");
        var first = Run(Tiny, results);
        first.Outcomes.Should().OnlyContain(o => o.Status == CellStatus.Computed);
        Run(Tiny, results).Outcomes.Should().OnlyContain(o => o.Status == CellStatus.AlreadyDone, "nothing changed");

        var changed = Tiny.Replace("gradascent: { lr: 0.0001 }", "gradascent: { lr: 0.01 }");
        var second = Run(changed, results);
        second.Log.Should().Contain("4 cells stale: unlearning.gradascent.lr 0.0001 → 0.01; recomputing");
        second.Outcomes.Where(o => o.Cell.Unlearner == "gradascent").Should().OnlyContain(o => o.Status == CellStatus.Computed);
        second.Outcomes.Where(o => o.Cell.Unlearner == "fisher").Should().OnlyContain(o => o.Status == CellStatus.AlreadyDone);

        var fresh = Path.Combine(dir, "fresh");
        Run(changed, fresh);
        Table(second.Matrix, results).Should().Equal(Table(second.Matrix, fresh), "a resumed run with a changed setting equals a fresh run of the changed YAML");
    }

    [Test]
    public void MergeRefusesCellsMadeFromDifferentInputs()
    {
        var a = Path.Combine(dir, "a");
        var b = Path.Combine(dir, "b");
        var (m, _, _) = Run(Tiny, a);
        Run(Tiny.Replace("gradascent: { lr: 0.0001 }", "gradascent: { lr: 0.01 }"), b);
        var cell = Matrices.Cells(m).First(c => c.Unlearner == "gradascent" && c.Expansion == 2);
        File.Copy(cell.ResultPath(b), cell.ResultPath(a), overwrite: true);
        var act = () => MatrixTable.Collect(m, a);
        act.Should().Throw<HarnessException>().WithMessage($"matrix 'fp' mixes cells made from different inputs: * and {cell.Id} differ in unlearning.gradascent.lr (0.0001 vs 0.01)*");
    }

    [Test]
    public void ACodeVersionChangeInvalidatesTheCheckpointTheScoresAndTheCells()
    {
        var results = Path.Combine(dir, "results");
        var first = Run(Tiny, results);
        first.Log.Should().Contain(l => l.StartsWith("training cnn2 on 300 mnist images", StringComparison.Ordinal));
        var again = Run(Tiny, results);
        again.Log.Should().NotContain(l => l.StartsWith("training ", StringComparison.Ordinal)).And.Contain(l => l.Contains("reusing the input-median scores"));

        Environment.SetEnvironmentVariable("HARNESS_CODE_SALT", "simulated-change");
        var changed = Run(Tiny, results);
        changed.Log.Should().Contain(l => l.StartsWith("training cnn2 on 300 mnist images", StringComparison.Ordinal), "the checkpoint cache is keyed on the training code");
        changed.Log.Should().Contain(l => l.StartsWith("scoring 300 training points", StringComparison.Ordinal), "the scores are keyed on the scoring code");
        changed.Log.Should().Contain(l => l.StartsWith("8 cells stale: code.population", StringComparison.Ordinal) && l.Contains("code.training") && l.Contains("code.unlearning"),
            "the cells are keyed on every code version they read (the first three differences named, in key order)");
        changed.Outcomes.Should().OnlyContain(o => o.Status == CellStatus.Computed);
    }

    [Test]
    public void AScoringChangeThatKeepsTheScoresBitsRecomputesTheScoresButNoCell()
    {
        var results = Path.Combine(dir, "results");
        Run(Tiny, results);
        Environment.SetEnvironmentVariable("HARNESS_CODE_SALT_SCORING", "same-bits-faster");
        var changed = Run(Tiny, results);
        changed.Log.Should().NotContain(l => l.StartsWith("training ", StringComparison.Ordinal), "the checkpoint does not read the scoring code");
        changed.Log.Should().Contain(l => l.StartsWith("scoring 300 training points", StringComparison.Ordinal), "the scores are keyed on the scoring code");
        changed.Log.Should().NotContain(l => l.Contains("stale"), "the cells read the scores by content, and these have the same bits");
        changed.Outcomes.Should().OnlyContain(o => o.Status == CellStatus.AlreadyDone);
    }

    [Test]
    public void EveryCellRecordsAReadableFingerprint()
    {
        var results = Path.Combine(dir, "results");
        var (m, _, _) = Run(Tiny, results);
        var cell = Matrices.Cells(m).First();
        var r = Json.Deserialize<CellResult>(File.ReadAllText(cell.ResultPath(results)));
        r.Fingerprint.Should().NotBeNull();
        r.Fingerprint!.Hash.Should().MatchRegex("^[0-9a-f]{32}$");
        r.Fingerprint.Inputs.Keys.Should().Contain(new[]
        {
            "data.train_sha256", "training.learning_rate", "training.checkpoint_sha256", "scoring.kernel", "scoring.scores_sha256", "cell.side",
            "cell.target", "cell.forget_set", "unlearning.gradascent.lr", "unlearning.gradascent.seed", "runtime.threads", "runtime.device",
            "runtime.cpu_isa", "versions.torchsharp", "code.training", "code.unlearning", "scoring.neighbors_sha256",
        });
        r.Fingerprint.Inputs.Keys.Should().NotContain("code.scoring", "the scores' and neighbours' hashes stand for the scoring code");
        r.Fingerprint.Inputs["code.training"].Should().NotBe("unknown", "the build embeds the code versions");
        Fingerprint.Of(r.Fingerprint.Inputs).Hash.Should().Be(r.Fingerprint.Hash);
        r.GitCommit.Should().NotBeNullOrEmpty();
    }
}
