using Harness.Runs;
using FluentAssertions;
using Harness.Config;
using Harness.Experiments;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

public class ExperimentsFileTests
{
    string dir = "";
    [SetUp] public void SetUp() => dir = TestSupport.TempDir("yaml");
    [TearDown] public void TearDown() => Directory.Delete(dir, true);

    const string Valid = """
        matrices:
          m:
            datasets: [mnist]
            scorers: [pc, emsksd]
            sides: [easy, hard]
            points: 2
            unlearners: [gradascent]
            expansions: [0, 5]
            seeds: [0]
        """;

    string Write(string yaml) { var p = Path.Combine(dir, "experiments.yaml"); File.WriteAllText(p, yaml); return p; }

    [Test]
    public void TheRepositoryFileDeclaresCiMnistAndAPaperMatrixOfAtLeast1800Cells()
    {
        var file = ExperimentsFile.Load(Path.Combine(Paths.RepoRoot, "experiments.yaml"));
        file.Matrices.Keys.Should().Contain(new[] { "ci", "mnist", "paper" });
        Matrices.Cells(file.Matrix("paper")).Count.Should().BeGreaterThanOrEqualTo(1800);
        file.Matrix("paper").Datasets.Should().Equal("mnist", "cifar10", "svhn");
        file.Matrix("mnist").Expansions.Should().Contain(new[] { 0, 100 });
    }

    [Test]
    public void CellsAreNamedByContent()
    {
        var m = ExperimentsFile.Load(Write(Valid)).Matrix("m");
        var ids = Matrices.Cells(m).Select(c => c.Id).ToList();
        ids.Should().HaveCount(2 * 2 * 2 * 1 * 2);
        ids.Should().Contain("mnist/input-median/emsksd/hard/t1/gradascent/k5/s0").And.OnlyHaveUniqueItems();
        var reordered = ExperimentsFile.Load(Write(Valid.Replace("[pc, emsksd]", "[emsksd, pc]"))).Matrix("m");
        Matrices.Cells(reordered).Select(c => c.Id).Should().BeEquivalentTo(ids, "reordering the YAML keeps every name");
        Matrices.Cells(reordered).Single(c => c.Id == "mnist/input-median/pc/easy/t0/gradascent/k0/s0").Shard(3)
            .Should().Be(Matrices.Cells(m).Single(c => c.Id == "mnist/input-median/pc/easy/t0/gradascent/k0/s0").Shard(3));
    }

    [TestCase("    points: 2\n", "    points: 2\n    colour: red\n", 7, "unknown key 'colour' in matrix 'm'*")]
    [TestCase("[pc, emsksd]", "[pc, ksd]", 4, "matrices.m.scorers: unknown scorer 'ksd'; allowed: pc, mksd, msksd, ssn, emsksd, *")]
    [TestCase("[gradascent]", "[gradascent, scrub]", 7, "matrices.m.unlearners: unknown unlearning algorithm 'scrub'*")]
    [TestCase("[mnist]", "[mnits]", 3, "matrices.m.datasets: unknown data set 'mnits'*")]
    [TestCase("points: 2", "points: two", 6, "matrices.m.points: 'two' is not an integer.")]
    [TestCase("points: 2", "points: 0", 6, "matrices.m.points: 0 is out of range [1, 100000].")]
    [TestCase("[0, 5]", "[0, -5]", 8, "matrices.m.expansions: -5 is out of range*")]
    [TestCase("[easy, hard]", "[]", 5, "matrices.m.sides is empty; an axis needs at least one value.")]
    [TestCase("[easy, hard]", "middle", 5, "matrices.m.sides must be a list.")]
    [TestCase("    seeds: [0]", "    seeds: [0]\n    training: { epochs: many }", 10, "matrices.m.training.epochs: 'many' is not an integer.")]
    [TestCase("    seeds: [0]", "    seeds: [0]\n    unlearning: { fisher: { alpha: -1 } }", 10, "matrices.m.unlearning.fisher.alpha: -1 is out of range*")]
    [TestCase("    seeds: [0]", "    seeds: [0]\n    scoring: { top_k: 2 }", 10, "matrices.m.scoring.top_k = 2 is smaller than the largest expansion 5.")]
    // An unclosed flow list is noticed where the input ends, one line below it.
    [TestCase("    seeds: [0]", "    seeds: [0\n", 10, "malformed YAML*")]
    public void BadYamlGivesOneErrorWithTheLine(string find, string replace, int line, string message)
    {
        var path = Write(Valid.Replace(find, replace));
        var act = () => ExperimentsFile.Load(path);
        act.Should().Throw<HarnessException>().WithMessage($"{path}:{line}: {message}");
    }

    [Test]
    public void UnknownMatrixIsReported()
    {
        var path = Write(Valid);
        var act = () => ExperimentsFile.Load(path).Matrix("nope");
        act.Should().Throw<HarnessException>().WithMessage($"{path}: no matrix 'nope'; declared: m.");
    }

    [Test]
    public void ShardsComeFromTheArgumentSlurmOrAnIndexedJob()
    {
        Sharding.Resolve("1/4", _ => null).Should().Be((1, 4));
        Sharding.Resolve(null, _ => null).Should().Be((0, 1));
        var slurm = new Dictionary<string, string> { ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURM_ARRAY_TASK_COUNT"] = "3", ["SLURM_ARRAY_TASK_MIN"] = "1" };
        Sharding.Resolve(null, k => slurm.GetValueOrDefault(k)).Should().Be((2, 3));
        var k8s = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "0", ["HARNESS_SHARD_COUNT"] = "5" };
        Sharding.Resolve(null, k => k8s.GetValueOrDefault(k)).Should().Be((0, 5));
        ((Action)(() => Sharding.Resolve("4/4", _ => null))).Should().Throw<HarnessException>().WithMessage("--shard '4/4' must be i/n*");
    }
}
