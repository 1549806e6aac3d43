using Harness.Runs;
using FluentAssertions;
using Harness.Config;
using Harness.Experiments;
using Harness.Scoring;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

/// <summary>
/// The kernel axis (`kernels:`), `candidates:`, the remaining-set sample, cells that share one computation, and the
/// worker protocol, on a tiny real matrix (300 MNIST images, one epoch).
/// </summary>
[NonParallelizable]
public class KernelAxisTests
{
    string dir = "", cache = "";

    const string Tiny = """
        matrices:
          kx:
            datasets: [mnist]
            scorers: [pc, emsksd]
            kernels:
              - { space: input }
              - { space: joint, bandwidth: dimension }
            candidates: correct
            evaluation: { remain_sample: 100 }
            sides: [easy, hard]
            points: 1
            unlearners: [gradascent, fisher]
            expansions: [0, 2]
            seeds: [0]
            training: { epochs: 1, threads: 2, device: cpu, train_limit: 300, test_limit: 300 }
            scoring: { top_k: 2 }
            unlearning:
              fisher: { fisher_samples: 100 }
        """;

    [SetUp]
    public void SetUp()
    {
        dir = TestSupport.TempDir("kernels");
        cache = Path.Combine(dir, "cache");
    }

    [TearDown] public void TearDown() => Directory.Delete(dir, true);

    (ExperimentsFile File, MatrixSpec Matrix) Load(string yaml)
    {
        var path = Path.Combine(dir, "experiments.yaml");
        File.WriteAllText(path, yaml);
        var file = ExperimentsFile.Load(path);
        return (file, file.Matrix("kx"));
    }

    [Test]
    public void KernelsAreAnAxisNamedByContent()
    {
        var (_, m) = Load(Tiny);
        m.Kernels.Select(KernelProfile.Label).Should().Equal("input-median", "joint-dimension");
        m.Kernels[1].TopK.Should().Be(2, "each kernel starts from the matrix's scoring settings");
        (m.Candidates, m.RemainSample, m.Workers).Should().Be((Candidates.Correct, 100, 1));
        var ids = Matrices.Cells(m).Select(c => c.Id).ToList();
        ids.Should().HaveCount(2 * 2 * 2 * 2 * 2).And.OnlyHaveUniqueItems();
        ids.Should().Contain("mnist/joint-dimension/emsksd/hard/t0/fisher/k2/s0");
        KernelProfile.Label(new ScoringOptions { Space = KernelSpace.Joint, Features = FeatureSpace.Penultimate, Bandwidth = Bandwidth.Fixed(0.5) })
            .Should().Be("joint-h0p5-penultimate");
    }

    [TestCase("kernels: [{ space: input }, { space: input }]", "*kernels[1] is named 'input-median' like an earlier entry*")]
    [TestCase("kernels: [{ space: both }]", "*kernels[0].space*unknown kernel space 'both'; allowed: input, joint*")]
    [TestCase("kernels: { space: input }", "*kernels must be a list*")]
    [TestCase("candidates: right", "*candidates*unknown candidates 'right'; allowed: all, correct*")]
    [TestCase("evaluation: { remain: 5 }", "*unknown key 'remain'*")]
    [TestCase("workers: 0", "*workers*")]
    public void AMistakeInTheNewKeysIsOneErrorNamingTheField(string line, string message)
    {
        var yaml = $"""
            matrices:
              kx:
                datasets: [mnist]
                scorers: [pc]
                sides: [easy]
                points: 1
                unlearners: [gradascent]
                expansions: [0]
                seeds: [0]
                {line}
            """;
        var act = () => Load(yaml);
        act.Should().Throw<HarnessException>().WithMessage(message);
    }

    [Test]
    public void CellsPickCorrectCandidatesShareIdenticalWorkAndRecordTheRemainSample()
    {
        var (file, m) = Load(Tiny);
        var results = Path.Combine(dir, "results");
        var log = new List<string>();
        var runner = new MatrixRunner(file, m, results, cacheRoot: cache, log: log.Add);
        var outcomes = runner.Run(Matrices.Cells(m));
        var rows = MatrixTable.Collect(m, results).Rows;
        rows.Should().HaveCount(32);
        rows.Where(r => r.Expansion == 0).Should().OnlyContain(r => r.OriginalForgetAcc == 1, "with `candidates: correct` every target is classified correctly before unlearning");
        rows.Should().OnlyContain(r => r.RemainEvaluation.StartsWith("a seeded sample of 100 points of D_r", StringComparison.Ordinal));
        rows.Should().OnlyContain(r => r.ForgetAccDrop == r.OriginalForgetAcc - r.ForgetAcc);

        // pc does not depend on the kernel: its k = 0 cells pick the same target in both spaces and are computed once.
        foreach (var side in new[] { "easy", "hard" })
            foreach (var u in m.Unlearners)
            {
                var a = rows.Single(r => r.Kernel == "input-median" && r.Scorer == "pc" && r.Side == side && r.Unlearner == u && r.Expansion == 0);
                var b = rows.Single(r => r.Kernel == "joint-dimension" && r.Scorer == "pc" && r.Side == side && r.Unlearner == u && r.Expansion == 0);
                (b.Target, b.WorkKey, b.SameAs).Should().Be((a.Target, a.WorkKey, a.Cell));
                (b.ForgetAcc, b.TestLoss, b.MiaThreshold, b.Distance).Should().Be((a.ForgetAcc, a.TestLoss, a.MiaThreshold, a.Distance));
                b.Fingerprint!.Hash.Should().NotBe(a.Fingerprint!.Hash, "the cells differ in what picked the target");
            }
        outcomes.Count(o => o.Status == CellStatus.Reused).Should().BeGreaterThanOrEqualTo(4);
        var csv = File.ReadAllLines(MatrixCommandsPath(results));
        csv[0].Should().StartWith("cell,dataset,kernel,scorer,side,target,unlearner,expansion,seed,original_forget_acc,forget_acc,forget_acc_drop,");

        // A rerun reuses everything, copies included.
        new MatrixRunner(file, m, results, cacheRoot: cache, log: log.Add).Run(Matrices.Cells(m)).Should().OnlyContain(o => o.Status == CellStatus.AlreadyDone);
    }

    string MatrixCommandsPath(string results)
    {
        var (_, m) = Load(Tiny);
        var path = MatrixTable.CsvPath(results, m.Name);
        AtomicFile.WriteAllText(path, MatrixTable.ToCsv(MatrixTable.Collect(m, results).Rows));
        return path;
    }

    /// <summary>A worker computes each unclaimed cell once; a cell another worker has claimed is left alone; the parent then finds them done.</summary>
    [Test]
    public void WorkersClaimCellsAndTheParentReusesWhatTheyWrote()
    {
        var (file, m) = Load("""
            matrices:
              kx:
                datasets: [mnist]
                scorers: [pc]
                sides: [easy, hard]
                points: 1
                unlearners: [gradascent]
                expansions: [0, 2]
                seeds: [0]
                workers: 2
                training: { epochs: 1, threads: 2, device: cpu, train_limit: 300, test_limit: 300 }
                scoring: { top_k: 2 }
            """);
        m.CellThreads(2).Should().Be(1, "two workers share the two training threads");
        var results = Path.Combine(dir, "results");
        var cells = Matrices.Cells(m);
        var claimed = cells[0];
        Directory.CreateDirectory(Path.GetDirectoryName(claimed.ResultPath(results))!);
        File.WriteAllText(claimed.ResultPath(results) + ".claim", "");
        int computed = new MatrixRunner(file, m, results, cacheRoot: cache, log: _ => { }).RunWorker(cells, 0, 2);
        computed.Should().Be(cells.Count - 1);
        File.Exists(claimed.ResultPath(results)).Should().BeFalse("another worker holds its claim");
        cells.Skip(1).Should().OnlyContain(c => !File.Exists(c.ResultPath(results) + ".claim"), "a worker removes its claims");
        var outcomes = new MatrixRunner(file, m, results, cacheRoot: cache, log: _ => { }).Run(cells); // no StartWorker here: the parent computes in-process
        Json.Deserialize<CellResult>(File.ReadAllText(cells[1].ResultPath(results))).Threads.Should().Be(1);
        outcomes.Single(o => o.Cell == claimed).Status.Should().Be(CellStatus.Computed);
        outcomes.Where(o => o.Cell != claimed).Should().OnlyContain(o => o.Status == CellStatus.AlreadyDone);
    }
}
