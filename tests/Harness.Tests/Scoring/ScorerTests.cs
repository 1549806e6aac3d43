using FluentAssertions;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

public class ScorerTests
{
    static PointQuantities Quantities(long[]? predicted = null) => new()
    {
        Index = new[] { 0, 1, 2, 3 }, Label = new long[] { 0, 1, 2, 3 }, Predicted = predicted ?? new long[] { 0, 1, 2, 3 },
        Pc = new[] { 0.9, 0.2, 0.99, 0.5 }, Loss = new[] { 0.105, 1.6, 0.01, 0.69 }, Margin = new[] { 3.0, -0.5, 6.0, 0.1 },
        Entropy = new[] { 0.1, 1.0, 0.01, 0.6 }, Ssn = new[] { 0.5, 3.0, 0.01, 1.0 },
        Mksd = new[] { 5.0, -1.0, 2.0, 9.0 }, LogMsksd = new[] { 3.0, 4.0, 1.0, 2.0 },
        ParamGradNorm = new[] { 2.0, 9.0, 0.1, 4.0 }, LearningEvents = new[] { 0.8, 0.3, 0.95, 0.6 }, HeldoutKl = new[] { 0.2, 1.5, 0.01, 0.4 },
    };

    static PointScores Sample(long[]? predicted = null) => PointScores.From(Quantities(predicted));

    [Test]
    public void EveryScorerDeclaresItsHardEndAsMethodSays()
    {
        ScorerRegistry.Names.Should().Equal("pc", "mksd", "msksd", "ssn", "emsksd", "loss", "margin", "entropy", "grad_norm", "learning_events", "heldout_kl");
        ScorerRegistry.Scorers.Where(s => s.HardEnd == HardEnd.Low).Select(s => s.Name).Should().Equal("ssn", "loss", "entropy", "grad_norm", "learning_events");
        ScorerRegistry.Scorers.Select(s => s.Display).Should().OnlyHaveUniqueItems();
    }

    // One case per scorer: its value is computed from the shared quantities, and its hard end orders the points.
    [TestCase("pc", new[] { 0.9, 0.2, 0.99, 0.5 }, new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("mksd", new[] { 5.0, -1.0, 2.0, 9.0 }, new[] { 3, 0 }, new[] { 1, 2 })]
    [TestCase("msksd", new[] { 3.0, 4.0, 1.0, 2.0 }, new[] { 1, 0 }, new[] { 2, 3 })]
    [TestCase("ssn", new[] { 0.5, 3.0, 0.01, 1.0 }, new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("loss", new[] { 0.105, 1.6, 0.01, 0.69 }, new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("margin", new[] { 3.0, -0.5, 6.0, 0.1 }, new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("entropy", new[] { 0.1, 1.0, 0.01, 0.6 }, new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("grad_norm", new[] { 2.0, 9.0, 0.1, 4.0 }, new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("learning_events", new[] { 0.8, 0.3, 0.95, 0.6 }, new[] { 1, 3 }, new[] { 2, 0 })]
    [TestCase("heldout_kl", new[] { 0.2, 1.5, 0.01, 0.4 }, new[] { 1, 3 }, new[] { 2, 0 })]
    public void EachScorerComputesItsValueAndRanksFromItsHardEnd(string name, double[] values, int[] hardest, int[] easiest)
    {
        var scorer = ScorerRegistry.Get(name);
        scorer.Compute(Quantities()).Should().Equal(values);
        ScorerRegistry.Hardest(scorer, Sample(), 2).Should().Equal(hardest);
        ScorerRegistry.Easiest(scorer, Sample(), 2).Should().Equal(easiest);
        var ranks = ScorerRegistry.HardnessRanks(scorer, Sample());
        ranks[hardest[0]].Should().Be(1);
        ranks.Should().BeEquivalentTo(new[] { 1, 2, 3, 4 });
    }

    [Test]
    public void EmsksdIsLogMsksdMinusLogEntropy()
    {
        var v = ScorerRegistry.Get("emsksd").Compute(Quantities())!;
        v.Should().Equal(3.0 - Math.Log(0.1), 4.0 - Math.Log(1.0), 1.0 - Math.Log(0.01), 2.0 - Math.Log(0.6));
        ScorerRegistry.Hardest(ScorerRegistry.Get("emsksd"), Sample(), 2).Should().Equal(2, 0);
        ScorerRegistry.Get("emsksd").Compute(Quantities() with { LogMsksd = null, Mksd = null }).Should().BeNull("without the kernel pass there is nothing to divide");
    }

    /// <summary>Each optional kind of quantity, and the run's quantities without it.</summary>
    static readonly (Quantities Kind, Func<PointQuantities, PointQuantities> Without)[] OptionalKinds =
    {
        (Harness.Scoring.Scorers.Quantities.KernelRows, q => q with { Mksd = null, LogMsksd = null }),
        (Harness.Scoring.Scorers.Quantities.ParameterGradients, q => q with { ParamGradNorm = null }),
        (Harness.Scoring.Scorers.Quantities.LearningEvents, q => q with { LearningEvents = null }),
        (Harness.Scoring.Scorers.Quantities.Population, q => q with { HeldoutKl = null }),
    };

    [Test]
    public void EachScorerReadsExactlyWhatItDeclares()
    {
        // a scorer that declared less than it reads would run where its quantity is missing (or be compared across kernels
        // or populations by `harness forget`); one that declared more would make the study train a population it never reads
        foreach (var scorer in ScorerRegistry.Scorers)
        {
            scorer.Compute(Quantities()).Should().NotBeNull($"{scorer.Name} has every quantity here");
            foreach (var (kind, without) in OptionalKinds)
                (scorer.Compute(without(Quantities())) == null).Should().Be(scorer.Reads.HasFlag(kind), $"{scorer.Name} declares {scorer.Reads}; without {kind}");
        }
        ScorerRegistry.AnyReads(["pc", "heldout_kl"], Harness.Scoring.Scorers.Quantities.Population).Should().BeTrue();
        ScorerRegistry.AnyReads(["pc", "emsksd"], Harness.Scoring.Scorers.Quantities.Population).Should().BeFalse();
    }

    [Test]
    public void AScorerWithoutItsInputsIsAbsentFromTheTable()
    {
        var scores = PointScores.From(Quantities() with { HeldoutKl = null, ParamGradNorm = null, Mksd = null, LogMsksd = null });
        scores.Scorers.Select(s => s.Name).Should().Equal("pc", "ssn", "loss", "margin", "entropy", "learning_events");
        var act = () => scores.Values("heldout_kl");
        act.Should().Throw<HarnessException>().WithMessage("these scores have no 'heldout_kl' values*");
        scores.ToCsv().Split('\n')[0].Should().Be("index,label,predicted,pc,ssn,loss,margin,entropy,learning_events,rank_pc,rank_ssn,rank_loss,rank_margin,rank_entropy,rank_learning_events");
    }

    [Test]
    public void CorrectCandidatesLeaveMisclassifiedPointsUnranked()
    {
        // Point 2 is the hardest by pc and the easiest by msksd; the model gets it wrong, so `correct` never picks it.
        var scores = Sample(new long[] { 0, 1, 7, 3 });
        var pc = ScorerRegistry.Get("pc");
        ScorerRegistry.Hardest(pc, scores, 1).Should().Equal(2);
        ScorerRegistry.Hardest(pc, scores, 1, Candidates.Correct).Should().Equal(0);
        ScorerRegistry.Easiest(ScorerRegistry.Get("msksd"), scores, 1, Candidates.Correct).Should().Equal(3);
        ScorerRegistry.HardnessRanks(pc, scores, Candidates.Correct).Should().Equal(1, 3, 0, 2);
        scores.CandidateCount(Candidates.Correct).Should().Be(3);
        var csv = scores.ToCsv(Candidates.Correct).Split('\n');
        csv[0].Should().StartWith("index,label,predicted,pc,mksd,msksd,ssn,emsksd,loss,");
        csv[3].Should().StartWith("2,2,7,").And.EndWith(",,,,,,,,,,,"); // no rank for the misclassified point
        PointScores.ReadCsvText(string.Join('\n', csv)).Predicted.Should().Equal(0, 1, 7, 3);
    }

    [Test]
    public void UnknownScorerIsReported()
    {
        var act = () => ScorerRegistry.Get("ksd");
        act.Should().Throw<HarnessException>().WithMessage($"unknown scorer 'ksd'; allowed: {string.Join(", ", ScorerRegistry.Names)}.");
    }

    [Test]
    public void AnUnknownColumnInScoresCsvIsReported()
    {
        var act = () => PointScores.ReadCsvText("index,label,predicted,pc,log_msksd\n0,0,0,0.5,1\n", "old/scores.csv");
        act.Should().Throw<HarnessException>().WithMessage("old/scores.csv: column 'log_msksd' is not a registered scorer*");
    }

    [Test]
    public void CsvRoundTripsUnderAnotherCulture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var dir = TestSupport.TempDir("csv");
            var path = Path.Combine(dir, "scores.csv");
            var q = Quantities() with { ParamGradNorm = null, LearningEvents = null, HeldoutKl = null, Loss = new[] { 0.1, 1.6, 0.01, 0.7 }, Margin = new[] { 3.0, -0.5, 6.0, 0.1 } };
            File.WriteAllText(path, PointScores.From(q with { LogMsksd = new[] { 3.0, 4.0, 1.0, 2.0 }, Entropy = new[] { 1.0, 1.0, 1.0, 1.0 } }).ToCsv());
            File.ReadAllLines(path)[1].Should().Be("0,0,0,0.9,5,3,0.5,3,0.1,3,1,2,2,2,2,2,2,2,1");
            var back = PointScores.ReadCsv(path);
            back.Values("pc").Should().Equal(Quantities().Pc);
            back.Values("emsksd").Should().Equal(3.0, 4.0, 1.0, 2.0);
            Directory.Delete(dir, true);
        }
        finally { Thread.CurrentThread.CurrentCulture = previous; }
    }

    [Test]
    public void NaNScoresAreRefused()
    {
        var act = () => PointScores.From(Quantities() with { Mksd = new[] { 1.0, double.NaN, 2.0, 3.0 } });
        act.Should().Throw<HarnessException>().WithMessage("score mksd of training point 1 is NaN*");
    }
}
