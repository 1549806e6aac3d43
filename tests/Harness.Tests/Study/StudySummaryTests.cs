using Harness.Experiments;
using FluentAssertions;
using Harness.Config;
using Harness.Study;
using NUnit.Framework;

namespace Harness.Tests.Study;

/// <summary>The tables of a study with several seeds, from constructed points: a row per seed and a mean row, points per seed.</summary>
public class StudySummaryTests
{
    static StudySpec Spec(params int[] seeds) => new()
    {
        Name = "s", Matrix = "m", Dataset = "mnist", Kernel = "input-median", N = 6, Seeds = seeds,
        Scorers = new[] { "pc", "ssn" }, GroundTruths = new[] { "gt_steps" },
    };

    static StudySummary Make(params int[] seeds)
    {
        var points = Enumerable.Range(100, 8).ToArray();
        var scores = new Dictionary<string, double[]>
        {
            ["pc"] = new[] { 0.1, 0.5, 0.9, 0.3, 0.7, 0.2, 0.8, 0.6 },
            ["ssn"] = new[] { 5.0, 2.0, 0.5, 4.0, 1.0, 4.5, 0.7, 1.5 },
        };
        var truths = new Dictionary<string, double[]> { ["gt_steps"] = new[] { 1.0, 6, 21, 3, 9, 2, 21, 8 } };
        var pops = seeds.ToDictionary(s => s, s => s == 0 ? new[] { 0, 1, 2, 3, 4, 5 } : new[] { 2, 3, 4, 5, 6, 7 });
        return StudySummary.Compute(Spec(seeds), points, points.Select(p => (long)(p % 10)).ToArray(), scores, truths,
            new Dictionary<string, bool[]> { ["gt_steps"] = truths["gt_steps"].Select(v => v == 21).ToArray() }, pops, 1.0, new Dictionary<string, string> { ["machine"] = "test" });
    }

    [Test]
    public void OneSeedGivesOneRowPerScorerAndGroundTruth()
    {
        var s = Make(0);
        var csv = StudyTables.SummaryCsv(s).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csv[0].Should().Be("scorer,hard_end,ground_truth,n,spearman,ci_low,ci_high,auroc");
        csv.Should().HaveCount(3);
        csv[1].Should().StartWith("pc,high,gt_steps,6,1,");
        csv[2].Should().StartWith("ssn,low,gt_steps,6,1,", "SSN's low end is hard: oriented, it ranks these points exactly as PC");
        var points = StudyTables.PointsCsv(s).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        points[0].Should().Be("index,label,pc,ssn,gt_steps,censored_steps");
        points.Should().HaveCount(7);
        points[3].Should().Be("102,2,0.9,0.5,21,1");
        StudyTables.RedundancyCsv(s).Split('\n')[1].Should().Be("pc,1,-1");
    }

    [Test]
    public void SeveralSeedsGiveARowPerSeedAndAMeanRow()
    {
        var s = Make(0, 1);
        var csv = StudyTables.SummaryCsv(s).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        csv[0].Should().Be("seed,scorer,hard_end,ground_truth,n,spearman,ci_low,ci_high,auroc,sd_across_seeds");
        csv.Should().HaveCount(1 + 2 * 2 + 2);
        var seed1 = s.Rows.Single(r => r.Seed == 1 && r.Scorer == "pc");
        seed1.Spearman.Should().Be(Statistics.Spearman(new[] { 0.9, 0.3, 0.7, 0.2, 0.8, 0.6 }, new[] { 21.0, 3, 9, 2, 21, 8 }));
        var mean = s.Rows.Single(r => r.Seed == null && r.Scorer == "pc");
        mean.Spearman.Should().BeApproximately((1 + seed1.Spearman) / 2, 1e-15);
        mean.SpreadAcrossSeeds.Should().BeApproximately(Math.Abs(1 - seed1.Spearman) / Math.Sqrt(2), 1e-12);
        csv.Should().Contain(l => l.StartsWith("mean,pc,high,gt_steps,6,", StringComparison.Ordinal));
        var points = StudyTables.PointsCsv(s).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        points[0].Should().StartWith("seed,index,label,");
        points.Should().HaveCount(1 + 12, "each seed's population in full");
        StudyTables.Headline(s).Should().OnlyContain(r => r.Seed == null);
    }
}
