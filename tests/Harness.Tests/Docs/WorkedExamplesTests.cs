using FluentAssertions;
using Harness.Data;
using Harness.Models;
using Harness.Runs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Study;
using Harness.Training;
using Harness.Util;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Docs;

/// <summary>
/// docs/architecture.md's worked examples (a scorer that needs a quantity no run computes; a ground truth with a probe of
/// its own) are the code of <see cref="WorkedExamples"/>, word for word, and they work through the library's own paths:
/// <see cref="PointQuantities.Measure"/> for the scorer, a <see cref="ProbeRun"/> and a stored point record for the probe.
/// </summary>
public class WorkedExamplesTests
{
    string cache = "";
    DataSplits data = null!;
    TrainedModel trained = null!;

    [OneTimeSetUp]
    public void TrainSmallModel()
    {
        cache = TestSupport.TempDir("examples");
        (data, trained) = TestSupport.SmallModel(cache, 600, 200, epochs: 1, seed: 3);
    }

    [OneTimeTearDown] public void Clean() { trained.Model.Dispose(); Directory.Delete(cache, true); }

    static IEnumerable<string> Blocks(string text, string start, string end)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].Trim() == start)
            {
                int j = i + 1;
                while (lines[j].Trim() != end) j++;
                yield return string.Join("\n", lines[(i + 1)..j]).Trim('\n');
                i = j;
            }
    }

    [Test]
    public void TheDocumentShowsTheCompiledExamples()
    {
        var source = File.ReadAllText(Path.Combine(Paths.RepoRoot, "tests", "Harness.Tests", "Docs", "WorkedExamples.cs"));
        var doc = File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "architecture.md"));
        foreach (var name in new[] { "scorer", "probe" })
        {
            var code = Blocks(source, $"// docs: {name}", "// docs: end").Single();
            var shown = Blocks(doc, $"<!--example:{name}-->", "```").Select(b => b.Replace("```csharp", "").Trim('\n')).Single();
            shown.Should().Be(code, $"docs/architecture.md's {name} example is WorkedExamples.cs's");
        }
    }

    [Test]
    public void AScorerMeasuresItsOwnQuantityWhereverQuantitiesAreMeasured()
    {
        var scorer = new LogitNormScorer();
        var points = new[] { 5, 0, 17, 300 };
        var sources = new QuantitySources(trained.Model, data.Train, points, CPU, ScoreFunction.LogSoftmax, 64, SsnMode.Input);
        var q = PointQuantities.Measure(sources, [scorer]);
        var values = scorer.Compute(q)!;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var direct = trained.Model.forward(data.Train.Subset(points).ImagesTensor(CPU)).to(ScalarType.Float64).norm(1, false, 2f).data<double>().ToArray();
            values.Should().Equal(direct, "Measure's batches give what one forward gives, on the requested points in their order");
        }
        scorer.Compute(q.Take([2, 0]))!.Should().Equal(values[2], values[0]);
        scorer.Compute(PointQuantities.Measure(sources, [new PcScorer()])).Should().BeNull("only a run that runs the scorer measures its quantity");
    }

    [Test]
    public void AGroundTruthReadsItsProbesStoredResult()
    {
        var run = new ProbeRun
        {
            Settings = new ProbeSettings("m", 0.5, 10, 0, [0], 2), Original = trained.Model, ModelName = "cnn2", Training = trained.Settings, Data = data,
            Device = CPU, Unlearner = name => Harness.Unlearning.UnlearnerRegistry.Resolve(name, "mnist", null), Neighbors = _ => ReadOnlyMemory<int>.Empty,
            NeighborInputs = [],
        };
        var before = ModelCopy.Parameters(trained.Model);
        using var started = OneStepProbe.Instance.Start(run);
        var records = new[] { 3, 42 }.Select(i => StudyPointResult.Of(i, data.Train.Labels[i], 0, Fingerprint.Of([]), "test",
            [KeyValuePair.Create(OneStepProbe.Instance.Name, started.Measure(i))])).ToList();
        var read = records.Select(r => Json.Deserialize<StudyPointResult>(Json.Serialize(r))).ToList();
        var truth = new OneStepGroundTruth();
        var values = truth.Values(new GroundTruthInputs(run.Settings, read, null));
        values.Should().Equal(records.Select(r => OneStepProbe.Instance.Of(r).After), "the stored record gives back what the probe measured");
        foreach (var r in read)
            OneStepProbe.Instance.Of(r).After.Should().BeLessThan(OneStepProbe.Instance.Of(r).Before, "an ascent step lowers p(y|x)");
        truth.ReadsPopulation.Should().BeFalse();
        OneStepProbe.Instance.Inputs(run).Should().Equal([KeyValuePair.Create("study.probe.lr", "0.5")]);
        ModelCopy.Parameters(trained.Model).Should().BeEquivalentTo(before, "θ₀ is never modified");
    }
}
