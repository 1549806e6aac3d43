using FluentAssertions;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using NUnit.Framework;

namespace Harness.Tests.Scoring;

public class ScorerTests
{
    static PointScores Sample() => new(
        Index: new[] { 0, 1, 2, 3 }, Label: new long[] { 0, 1, 2, 3 }, Predicted: new long[] { 0, 1, 2, 3 },
        Pc: new[] { 0.9, 0.2, 0.99, 0.5 }, Entropy: new[] { 0.1, 1.0, 0.01, 0.6 },
        Mksd: new[] { 5.0, -1.0, 2.0, 9.0 }, LogMsksd: new[] { 3.0, 4.0, 1.0, 2.0 },
        Ssn: new[] { 0.5, 3.0, 0.01, 1.0 }, LogEmsksd: new[] { 1.0, 2.0, 5.0, 0.5 });

    [Test]
    public void EveryScorerDeclaresItsHardEndAsMethodSays()
    {
        ScorerRegistry.Names.Should().Equal("pc", "mksd", "msksd", "ssn", "emsksd");
        ScorerRegistry.Scorers.Where(s => s.HardEnd == HardEnd.Low).Select(s => s.Name).Should().Equal("ssn");
    }

    [TestCase("pc", new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("mksd", new[] { 3, 0 }, new[] { 1, 2 })]
    [TestCase("msksd", new[] { 1, 0 }, new[] { 2, 3 })]
    [TestCase("ssn", new[] { 2, 0 }, new[] { 1, 3 })]
    [TestCase("emsksd", new[] { 2, 1 }, new[] { 3, 0 })]
    public void HardestAndEasiestComeFromTheHardEnd(string name, int[] hardest, int[] easiest)
    {
        var scorer = ScorerRegistry.Get(name);
        ScorerRegistry.Hardest(scorer, Sample(), 2).Should().Equal(hardest);
        ScorerRegistry.Easiest(scorer, Sample(), 2).Should().Equal(easiest);
        var ranks = ScorerRegistry.HardnessRanks(scorer, Sample());
        ranks[hardest[0]].Should().Be(1);
        ranks.Should().BeEquivalentTo(new[] { 1, 2, 3, 4 });
    }

    [Test]
    public void CorrectCandidatesLeaveMisclassifiedPointsUnranked()
    {
        // Point 2 is the hardest by pc and the easiest by msksd; the model gets it wrong, so `correct` never picks it.
        var scores = Sample() with { Predicted = new long[] { 0, 1, 7, 3 } };
        var pc = ScorerRegistry.Get("pc");
        ScorerRegistry.Hardest(pc, scores, 1).Should().Equal(2);
        ScorerRegistry.Hardest(pc, scores, 1, Candidates.Correct).Should().Equal(0);
        ScorerRegistry.Easiest(ScorerRegistry.Get("msksd"), scores, 1, Candidates.Correct).Should().Equal(3);
        ScorerRegistry.HardnessRanks(pc, scores, Candidates.Correct).Should().Equal(1, 3, 0, 2);
        scores.CandidateCount(Candidates.Correct).Should().Be(3);
        var csv = scores.ToCsv(Candidates.Correct).Split('\n');
        csv[0].Should().StartWith("index,label,predicted,pc,");
        csv[3].Should().StartWith("2,2,7,").And.EndWith(",,,,,"); // no rank for the misclassified point
        PointScores.ReadCsvText(string.Join('\n', csv)).Predicted.Should().Equal(0, 1, 7, 3);
    }

    [Test]
    public void UnknownScorerIsReported()
    {
        var act = () => ScorerRegistry.Get("ksd");
        act.Should().Throw<HarnessException>().WithMessage("unknown scorer 'ksd'; allowed: pc, mksd, msksd, ssn, emsksd.");
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
            File.WriteAllText(path, Sample().ToCsv());
            File.ReadAllLines(path)[1].Should().Be("0,0,0,0.9,0.1,5,3,0.5,1,2,2,2,2,3");
            var back = PointScores.ReadCsv(path);
            back.Pc.Should().Equal(Sample().Pc);
            back.LogEmsksd.Should().Equal(Sample().LogEmsksd);
            Directory.Delete(dir, true);
        }
        finally { Thread.CurrentThread.CurrentCulture = previous; }
    }

    [Test]
    public void NaNScoresAreRefused()
    {
        var bad = Sample() with { Mksd = new[] { 1.0, double.NaN, 2.0, 3.0 } };
        var act = () => bad.CheckFinite();
        act.Should().Throw<HarnessException>().WithMessage("score mksd of training point 1 is NaN*");
    }
}
