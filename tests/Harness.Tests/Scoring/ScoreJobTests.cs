using Harness.Runs;
using FluentAssertions;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

/// <summary>`harness score` end to end on a small real run: the files, their shapes, and the kernel dump against the direct formula.</summary>
public class ScoreJobTests
{
    string dir = "";
    [SetUp] public void SetUp() => dir = TestSupport.TempDir("score");
    [TearDown] public void TearDown() => Directory.Delete(dir, true);

    [Test]
    public void WritesScoresNeighboursMetaAndAKernelAnyoneCanCheck()
    {
        var options = new ScoreOptions
        {
            Train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 2000, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") },
            Scoring = new ScoringOptions { TopK = 10 },
            Limit = 400,
            DumpKernel = 12,
            OutDir = Path.Combine(dir, "out"),
        };
        var (scores, stats, meta) = ScoreJob.Run(options, log: _ => { });
        var lines = File.ReadAllLines(Path.Combine(options.OutDir, "scores.csv"));
        lines.Should().HaveCount(401);
        scores.Scorers.Select(s => s.Name).Should().Contain(new[] { "pc", "mksd", "msksd", "ssn", "emsksd", "loss", "margin", "entropy", "learning_events" })
            .And.NotContain(new[] { "grad_norm", "heldout_kl" }, "no parameter gradients (ssn: input) and no half-data models here");
        lines[0].Should().Be(string.Join(",", PointScores.KeyColumns.Concat(scores.Scorers.Select(s => s.Name)).Concat(scores.Scorers.Select(s => "rank_" + s.Name))));
        PointScores.ReadCsv(Path.Combine(options.OutDir, "scores.csv")).Values("msksd").Should().Equal(scores.Values("msksd"));
        var pc = scores.Values("pc"); var loss = scores.Values("loss"); var margin = scores.Values("margin");
        for (int i = 0; i < 400; i++)
        {
            loss[i].Should().BeApproximately(-Math.Log(pc[i]), 1e-9 * Math.Max(1, loss[i]), "loss is −log p(y|x)");
            (margin[i] < 0).Should().Be(scores.Predicted[i] != scores.Label[i], "the margin is negative exactly when the point is misclassified");
        }
        scores.Values("learning_events").Should().OnlyContain(v => v > 0 && v <= 1, "the learning events are mean probabilities recorded in training");

        var (ishape, idx) = Npy.Read<int>(Path.Combine(options.OutDir, "neighbors", "indices.npy"));
        var (vshape, val) = Npy.Read<float>(Path.Combine(options.OutDir, "neighbors", "values.npy"));
        ishape.Should().Equal(400, 10);
        vshape.Should().Equal(400, 10);
        idx.Should().Equal(stats.NeighborIndex);
        val.Should().Equal(stats.NeighborValue);

        var (xs, xd) = Npy.Read<float>(Path.Combine(options.OutDir, "X.npy"));
        var (ss, sd) = Npy.Read<float>(Path.Combine(options.OutDir, "S.npy"));
        var (ks, kd) = Npy.Read<float>(Path.Combine(options.OutDir, "K.npy"));
        xs.Should().Equal(12, 784); ss.Should().Equal(12, 784); ks.Should().Equal(12, 12);
        double[] Row(float[] f, int i) => f.Skip(i * 784).Take(784).Select(v => (double)v).ToArray();
        for (int i = 0; i < 12; i++)
            for (int j = 0; j < 12; j++)
            {
                double expected = DirectKernel.Rbf(Row(xd, i), Row(xd, j), Row(sd, i), Row(sd, j), meta.H!.Value);
                ((double)kd[i * 12 + j]).Should().BeApproximately(expected, 1e-4 * Math.Max(1, Math.Abs(expected)));
            }
        meta.N.Should().Be(400);
        meta.H.Should().BeGreaterThan(0);
        File.Exists(Path.Combine(options.OutDir, "meta.json")).Should().BeTrue();
    }

    /// <summary>
    /// The acceptance run of the joint space: `--train-limit 500 --dump-kernel 500 --space joint --bandwidth dimension`.
    /// X is [x, onehot(y)], S is [∇ₓ log p(y|x), softmax], h² = 794, and K, MKSD, MSKSD and the neighbours all agree
    /// with a direct double loop on the dumped X and S; SSN stays the norm of the input-gradient block.
    /// </summary>
    [Test]
    public void JointSpaceAppendsTheLabelAndTheSoftmaxAsMethodSays()
    {
        var options = new ScoreOptions
        {
            Train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 2000, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") },
            Scoring = new ScoringOptions { TopK = 5, Space = KernelSpace.Joint, Bandwidth = Bandwidth.Dimension },
            Limit = 500,
            DumpKernel = 500,
            OutDir = Path.Combine(dir, "out"),
        };
        var (scores, stats, meta) = ScoreJob.Run(options, log: _ => { });
        const int n = 500, d = 784, cols = 794;
        var (xs, xd) = Npy.Read<float>(Path.Combine(options.OutDir, "X.npy"));
        var (ss, sd) = Npy.Read<float>(Path.Combine(options.OutDir, "S.npy"));
        var (ks, kd) = Npy.Read<float>(Path.Combine(options.OutDir, "K.npy"));
        xs.Should().Equal(n, cols); ss.Should().Equal(n, cols); ks.Should().Equal(n, n);
        meta.H2.Should().BeApproximately(794, 1e-9);
        meta.D.Should().Be(794);
        (meta.Space, meta.FeatureColumns, meta.LabelColumns).Should().Be(("joint", 784L, 10L));
        double[] Row(float[] f, int i) => f.Skip(i * cols).Take(cols).Select(v => (double)v).ToArray();
        var x = Enumerable.Range(0, n).Select(i => Row(xd, i)).ToArray();
        var s = Enumerable.Range(0, n).Select(i => Row(sd, i)).ToArray();
        for (int i = 0; i < n; i++)
        {
            var onehot = x[i][d..];
            onehot.Should().Equal(Enumerable.Range(0, 10).Select(c => c == scores.Label[i] ? 1.0 : 0.0), $"row {i} ends with onehot(label)");
            var softmax = s[i][d..];
            softmax.Sum().Should().BeApproximately(1, 1e-5);
            softmax[scores.Label[i]].Should().BeApproximately(scores.Values("pc")[i], 1e-6, "the label's softmax entry is pc");
            Array.IndexOf(softmax, softmax.Max()).Should().Be((int)scores.Predicted[i]);
            Math.Sqrt(s[i][..d].Sum(v => v * v)).Should().BeApproximately(scores.Values("ssn")[i], 1e-4 * Math.Max(1, scores.Values("ssn")[i]), "SSN is the input-gradient block's norm");
        }
        var k = DirectKernel.Matrix(x, s, (a, b, sa, sb) => DirectKernel.Rbf(a, b, sa, sb, Math.Sqrt(794)));
        for (int i = 0; i < n; i += 7)
            for (int j = 0; j < n; j++)
                ((double)kd[i * n + j]).Should().BeApproximately(k[i, j], 1e-4 * Math.Max(1, Math.Abs(k[i, j])));
        var direct = DirectKernel.Statistics(k, includeDiagonal: false, global: false, topK: 5);
        for (int i = 0; i < n; i++)
        {
            scores.Values("mksd")[i].Should().BeApproximately(direct.Mksd[i], 1e-4 * Math.Max(1, Math.Abs(direct.Mksd[i])));
            scores.Values("msksd")[i].Should().BeApproximately(direct.LogMsksd[i], 1e-4 * Math.Max(1, Math.Abs(direct.LogMsksd[i])));
        }
        int agree = Enumerable.Range(0, n).Count(i => stats.NeighborIndex.AsSpan(i * 5, 5).ToArray().SequenceEqual(direct.TopK[i]));
        agree.Should().BeGreaterThanOrEqualTo(n - 5, "neighbour lists match except where float32 ties reorder them");

        // Figure 3's rows and the Eq. 4 term shares: the three brackets add up to the row of κ.
        var extremes = Json.Deserialize<List<ExtremeRow>>(File.ReadAllText(Path.Combine(options.OutDir, "extremes.json")));
        foreach (var e in extremes)
        {
            double a = 0, b = 0, c = 0, total = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == e.Index) continue;
                var (t1, t2, t3) = Terms(x[e.Index], x[j], s[e.Index], s[j], 794);
                a += Math.Abs(t1); b += Math.Abs(t2); c += Math.Abs(t3);
                (t1 + t2 + t3).Should().BeApproximately(k[e.Index, j], 1e-9 * Math.Max(1, Math.Abs(k[e.Index, j])));
                total++;
            }
            e.MeanAbsScoreTerm.Should().BeApproximately(a / total, 1e-5 * Math.Max(1e-12, a / total));
            e.MeanAbsInfluenceTerm.Should().BeApproximately(b / total, 1e-5 * Math.Max(1e-12, b / total));
            e.MeanAbsRawTerm.Should().BeApproximately(c / total, 1e-5 * Math.Max(1e-12, c / total));
        }
    }

    /// <summary>Eq. 4's three brackets for RBF with h² given: s_a·s_b k, (s_a·δ − s_b·δ)k/h², (d/h² − ‖δ‖²/h⁴)k.</summary>
    static (double, double, double) Terms(double[] a, double[] b, double[] sa, double[] sb, double h2)
    {
        double r2 = 0, ssum = 0, sad = 0, sbd = 0;
        for (int t = 0; t < a.Length; t++) { double dl = a[t] - b[t]; r2 += dl * dl; ssum += sa[t] * sb[t]; sad += sa[t] * dl; sbd += sb[t] * dl; }
        double k = Math.Exp(-r2 / (2 * h2));
        return (k * ssum, k * (sad - sbd) / h2, k * (a.Length / h2 - r2 / (h2 * h2)));
    }

    /// <summary>`--features penultimate` on cnn2: X is the 512 values entering the head, S = ∇_z log p(y|z) = Wᵀ(onehot(y) − p).</summary>
    [Test]
    public void PenultimateFeaturesAreTheHeadsInputWithTheScoreTakenThere()
    {
        var train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 1000, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") };
        var options = new ScoreOptions
        {
            Train = train, Scoring = new ScoringOptions { TopK = 3, Features = FeatureSpace.Penultimate, Space = KernelSpace.Joint }, Limit = 60, DumpKernel = 20, OutDir = Path.Combine(dir, "out"),
        };
        var (scores, _, meta) = ScoreJob.Run(options, log: _ => { });
        (meta.D, meta.FeatureColumns, meta.Features).Should().Be((522L, 512L, "penultimate"));
        var (xs, xd) = Npy.Read<float>(Path.Combine(options.OutDir, "X.npy"));
        var (_, sd) = Npy.Read<float>(Path.Combine(options.OutDir, "S.npy"));
        xs.Should().Equal(20, 522);
        var (trained, data, _) = TrainJob.Run(train, log: _ => { });
        using var images = data.Train.Take(20).ImagesTensor();
        CheckPenultimate(trained.Model, images, data.Train.Take(20).Labels, xd, sd, 522);
        scores.Values("ssn").Should().OnlyContain(v => v > 0);
    }

    /// <summary>The same on ResNet18 (CIFAR-10 fixture, seeded initial weights, eval mode).</summary>
    [Test]
    public void PenultimateFeaturesWorkOnResNet18()
    {
        TorchSharp.torch.manual_seed(0);
        var cifar = Harness.Data.CifarBinaryReader.Read(new[] { Path.Combine(TestSupport.Fixtures, "cifar10-mini", "cifar-10-batches-bin", "data_batch_1.bin") });
        using var model = Harness.Models.ModelFactory.Create("resnet18", cifar);
        using var images = cifar.ImagesTensor();
        using var labels = cifar.LabelsTensor();
        var o = new ScoringOptions { Features = FeatureSpace.Penultimate, Space = KernelSpace.Joint };
        var (stein, inputs) = KernelInputs.Compute(model, images, labels, o);
        using (stein) using (inputs)
        {
            inputs.X.shape.Should().Equal(cifar.Count, 522);
            stein.S.shape.Should().Equal(new long[] { cifar.Count, 3 * 32 * 32 }, "SSN keeps the input gradient");
            CheckPenultimate(model, images, cifar.Labels, inputs.X.data<float>().ToArray(), inputs.S.data<float>().ToArray(), 522);
        }
    }

    static void CheckPenultimate(TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model, TorchSharp.torch.Tensor images, long[] labels, float[] xd, float[] sd, int cols)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        model.eval();
        using var _ = TorchSharp.torch.no_grad();
        var z = ((Harness.Models.IHasHead)model).Features(images).to(TorchSharp.torch.ScalarType.Float64);
        var w = model.named_parameters().Single(p => p.name == "head.weight").parameter.to(TorchSharp.torch.ScalarType.Float64);
        var p = TorchSharp.torch.nn.functional.softmax(model.forward(images).to(TorchSharp.torch.ScalarType.Float64), 1);
        var onehot = TorchSharp.torch.nn.functional.one_hot(TorchSharp.torch.tensor(labels), 10).to(TorchSharp.torch.ScalarType.Float64);
        var expectedS = (onehot - p).matmul(w); // ∇_z log softmax(Wz + b)_y = Wᵀ(onehot(y) − p)
        var zd = z.data<double>().ToArray(); var es = expectedS.data<double>().ToArray();
        for (int i = 0; i < labels.Length; i++)
            for (int t = 0; t < 512; t++)
            {
                ((double)xd[i * cols + t]).Should().BeApproximately(zd[i * 512 + t], 1e-5 * Math.Max(1, Math.Abs(zd[i * 512 + t])));
                ((double)sd[i * cols + t]).Should().BeApproximately(es[i * 512 + t], 1e-5 * Math.Max(1, Math.Abs(es[i * 512 + t])));
            }
    }

    /// <summary>
    /// The one scoring-run check (run, study, unlearn, forget): neighbours are used only when meta.json says they were made
    /// by this model and the same κ; scores only when every setting, the candidates and the CPU mode match too.
    /// </summary>
    [Test]
    public void ScoringRunsAreUsedOnlyForTheModelAndOptionsThatMadeThem()
    {
        var train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 300, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") };
        var options = new ScoreOptions { Train = train, Scoring = new ScoringOptions { TopK = 5 }, OutDir = Path.Combine(dir, "out") };
        ScoreJob.Run(options, log: _ => { });
        var (trained, data, _) = TrainJob.Run(train, log: _ => { });
        int n = data.Train.Count;
        var files = new ScoringRunFiles(options.OutDir);
        string sha = trained.Checkpoint.Sha256;
        string? Neighbors(ScoringOptions o, int count, string checkpoint, int topK = 0) => ScoringRunCheck.Mismatch(files, checkpoint, o, count, ScoringRunUse.Neighbors, topK: topK);
        Neighbors(options.Scoring, n, sha).Should().BeNull();
        Neighbors(options.Scoring with { TopK = 3, BlockSize = 64, Ssn = SsnMode.Params }, n, sha).Should().BeNull("top-K, block size and SSN mode do not change κ");
        Neighbors(options.Scoring with { Kernel = KernelKind.Imq }, n, sha).Should().Be("it was made with kernel rbf (now imq)");
        Neighbors(options.Scoring, n + 1, sha).Should().Be($"it covers {n} points, the training set has {n + 1}");
        Neighbors(options.Scoring, n, sha, topK: 6).Should().Be("it keeps 5 neighbours, 6 are needed");
        var (other, _, _) = TrainJob.Run(train with { Seed = 4 }, log: _ => { });
        Neighbors(options.Scoring, n, other.Checkpoint.Sha256).Should().StartWith("it was made with checkpoint ");

        string? Scores(ScoringOptions o, Candidates c) => ScoringRunCheck.Mismatch(files, sha, o, n, ScoringRunUse.Scores, c);
        Scores(options.Scoring, Candidates.All).Should().BeNull();
        Scores(options.Scoring with { Scratch = "/elsewhere" }, Candidates.All).Should().BeNull("where the spill goes changes nothing");
        Scores(options.Scoring with { Ssn = SsnMode.Params }, Candidates.All).Should().StartWith("it was made with other settings: scoring.ssn input → params");
        Scores(options.Scoring, Candidates.Correct).Should().Be("its ranks cover all points, now correct");

        File.Delete(files.Meta);
        Neighbors(options.Scoring, n, sha).Should().EndWith("meta.json is missing, so nothing says what made the run");
    }

    /// <summary>
    /// Storage faults in a scoring run: one flipped bit or a file cut short, in any file it wrote, and neither its neighbours
    /// nor its scores are used (the check names the file; callers recompute); a run whose meta.json predates the records too.
    /// </summary>
    [Test]
    public void ADamagedScoringFileIsNeverReused()
    {
        var train = new TrainOptions { Dataset = "mnist", Epochs = 1, TrainLimit = 300, Threads = 2, Device = Harness.Training.DeviceChoice.Cpu, CacheRoot = Path.Combine(dir, "cache") };
        var options = new ScoreOptions { Train = train, Scoring = new ScoringOptions { TopK = 5 }, OutDir = Path.Combine(dir, "out") };
        var (_, _, meta) = ScoreJob.Run(options, log: _ => { });
        var (trained, data, _) = TrainJob.Run(train, log: _ => { });
        var files = new ScoringRunFiles(options.OutDir);
        string? Check(ScoringRunUse use) => ScoringRunCheck.Mismatch(files, trained.Checkpoint.Sha256, options.Scoring, data.Train.Count, use, Candidates.All);
        meta.Files!.Keys.Should().BeEquivalentTo(new[] { "scores.csv", "neighbors/indices.npy", "neighbors/values.npy", "extremes.json", "extremes.npy" });
        Check(ScoringRunUse.Scores).Should().BeNull();
        foreach (var name in meta.Files.Keys)
        {
            string path = Path.Combine(files.Dir, name);
            var original = File.ReadAllBytes(path);
            var flipped = (byte[])original.Clone();
            flipped[original.Length * 2 / 3] ^= 0x04;
            File.WriteAllBytes(path, flipped);
            foreach (var use in new[] { ScoringRunUse.Neighbors, ScoringRunUse.Scores })
                Check(use).Should().Be($"{path} has SHA-256 {Fingerprint.FileHash(path)[..12]}… where its record says {meta.Files[name].Sha256[..12]}… (changed on disk)", $"{name}, one bit flipped");
            File.WriteAllBytes(path, original[..(original.Length / 2)]);
            Check(ScoringRunUse.Scores).Should().Be($"{path} has {original.Length / 2:N0} bytes where its record says {original.Length:N0} (cut short or rewritten)", $"{name} cut in half");
            File.WriteAllBytes(path, original);
            Check(ScoringRunUse.Scores).Should().BeNull($"{name} restored");
        }
        AtomicFile.WriteAllText(files.Meta, Json.Serialize(meta with { Files = null }));
        Check(ScoringRunUse.Neighbors).Should().Be($"{files.Meta} records no SHA-256 of its files (it was made before they were kept)");
    }
}
