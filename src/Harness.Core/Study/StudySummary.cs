using Harness.Experiments;
using Harness.Scoring.Scorers;

namespace Harness.Study;

/// <summary>One row of summary.csv: a scorer (oriented by its hard end) against a ground truth, on one seed's points (Seed null = the mean over seeds).</summary>
public sealed record SummaryRow(int? Seed, string Scorer, string HardEnd, string GroundTruth, int N, double Spearman, double CiLow, double CiHigh, double Auroc, double SpreadAcrossSeeds = double.NaN);

/// <summary>
/// Everything a study's outputs are made from: per point (position k over <see cref="Points"/>) its label, every scorer's raw
/// value and every ground truth, and which points hit a probe's cap (by ground truth, for those that report it); the populations of each seed (positions); and the statistics computed from them.
/// </summary>
public sealed record StudySummary(
    StudySpec Study, int[] Points, long[] Labels, Dictionary<string, double[]> Scores, Dictionary<string, double[]> Truths,
    Dictionary<string, bool[]> Censored, Dictionary<int, int[]> Populations, List<SummaryRow> Rows,
    Dictionary<string, Dictionary<string, double>> Redundancy, double PointSeconds, Dictionary<string, string> Provenance, string[]? Strata = null)
{
    public bool SeveralSeeds => Populations.Count > 1;

    public static StudySummary Compute(StudySpec study, int[] points, long[] labels, Dictionary<string, double[]> scores, Dictionary<string, double[]> truths,
        Dictionary<string, bool[]> censored, Dictionary<int, int[]> populations, double pointSeconds, Dictionary<string, string> provenance)
    {
        var rows = new List<SummaryRow>();
        foreach (var (seed, pop) in populations)
            foreach (var s in study.Scorers)
            {
                var scorer = ScorerRegistry.Get(s);
                foreach (var g in study.GroundTruths)
                {
                    var keep = pop.Where(k => double.IsFinite(truths[g][k]) && double.IsFinite(scores[s][k])).ToArray();
                    var x = keep.Select(k => ScorerRegistry.Oriented(scorer, scores[s][k])).ToArray();
                    var y = keep.Select(k => truths[g][k]).ToArray();
                    var c = Statistics.SpearmanWithInterval(x, y, study.Bootstrap, seed);
                    rows.Add(new SummaryRow(seed, s, scorer.HardEnd == HardEnd.High ? "high" : "low", g, c.N, c.Rho, c.Low, c.High, Statistics.AurocTopQuarter(x, y)));
                }
            }
        if (populations.Count > 1)
            foreach (var g in rows.GroupBy(r => (r.Scorer, r.GroundTruth)).ToList())
            {
                var l = g.ToList();
                double mean = l.Average(r => r.Spearman);
                double sd = Math.Sqrt(l.Sum(r => (r.Spearman - mean) * (r.Spearman - mean)) / (l.Count - 1));
                rows.Add(new SummaryRow(null, g.Key.Scorer, l[0].HardEnd, g.Key.GroundTruth, l.Sum(r => r.N) / l.Count, mean,
                    l.Average(r => r.CiLow), l.Average(r => r.CiHigh), l.Average(r => r.Auroc), sd));
            }
        var first = populations[populations.Keys.Min()];
        var redundancy = study.Scorers.ToDictionary(a => a, a => study.Scorers.ToDictionary(b => b,
            b => Statistics.Spearman(first.Select(k => scores[a][k]).ToArray(), first.Select(k => scores[b][k]).ToArray())));
        return new StudySummary(study, points, labels, scores, truths, censored, populations, rows, redundancy, pointSeconds, provenance);
    }
}
