using Harness.Runs;
using Harness.Numerics;
using System.Globalization;
using System.Text;
using Harness.Scoring.Scorers;
using Harness.Experiments;

namespace Harness.Study;

/// <summary>
/// The study's tables under results/&lt;study&gt;/: points.csv, summary.csv, redundancy.csv, &lt;study&gt;-summary-github.md, and the
/// verified baseline of summary.csv (&lt;study&gt;-summary.CLASS.verified.csv, one per CPU class, Verify's convention as for the matrices).
/// </summary>
public static class StudyTables
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static string F(double v) => v.ToString("R", Inv);

    public static readonly string[] SummaryColumns = { "scorer", "hard_end", "ground_truth", "n", "spearman", "ci_low", "ci_high", "auroc" };
    static readonly string[] Compared = { "spearman", "ci_low", "ci_high", "auroc" };

    /// <summary>This machine's baseline of the study (the one `accept-study` writes; one per numerics class, <see cref="Baselines"/>).</summary>
    public static string VerifiedPath(StudyFiles files) => Baselines.PathOf(files.Dir, files.SummaryStem);

    public static IEnumerable<string> Write(StudySummary s, StudyFiles files)
    {
        var paths = new[] { files.Points, files.Summary, files.Redundancy, files.SummaryMarkdown, files.Provenance };
        AtomicFile.WriteAllText(paths[0], PointsCsv(s));
        AtomicFile.WriteAllText(paths[1], SummaryCsv(s));
        AtomicFile.WriteAllText(paths[2], RedundancyCsv(s));
        AtomicFile.WriteAllText(paths[3], Markdown(s));
        AtomicFile.WriteAllText(paths[4], Json.Serialize(new SortedDictionary<string, string>(s.Provenance)));
        return paths;
    }

    /// <summary>`[seed,]index,label`, each scorer's raw value, each ground truth, then the censoring column of each ground truth that reports one (censored_steps, censored_expansion); one row per point (per seed with several).</summary>
    public static string PointsCsv(StudySummary s)
    {
        var cols = new List<string>();
        if (s.SeveralSeeds) cols.Add("seed");
        cols.AddRange(new[] { "index", "label" });
        cols.AddRange(s.Study.Scorers);
        cols.AddRange(s.Study.GroundTruths);
        var censored = s.Study.GroundTruths.Where(s.Censored.ContainsKey).ToList();
        cols.AddRange(censored.Select(g => GroundTruthRegistry.Get(g).CensoredColumn!));
        if (s.Strata != null) cols.Add("stratum");
        var sb = new StringBuilder(string.Join(",", cols)).Append('\n');
        foreach (var (seed, pop) in s.Populations.OrderBy(kv => kv.Key))
        {
            foreach (int k in pop)
            {
                var f = new List<string>();
                if (s.SeveralSeeds) f.Add(seed.ToString(Inv));
                f.Add(s.Points[k].ToString(Inv)); f.Add(s.Labels[k].ToString(Inv));
                f.AddRange(s.Study.Scorers.Select(x => F(s.Scores[x][k])));
                f.AddRange(s.Study.GroundTruths.Select(g => F(s.Truths[g][k])));
                f.AddRange(censored.Select(g => s.Censored[g][k] ? "1" : "0"));
                if (s.Strata != null) f.Add(s.Strata[k]);
                sb.Append(string.Join(",", f)).Append('\n');
            }
            if (!s.SeveralSeeds) break;
        }
        return sb.ToString();
    }

    /// <summary>Per memorization stratum of the first seed's points: how many, and each ground truth's median (does difficulty grow with memorization?).</summary>
    public static string StrataMarkdown(StudySummary s)
    {
        var pop = s.Populations[s.Populations.Keys.Min()];
        var sb = new StringBuilder("Per memorization stratum (the points were drawn across them, `sample: strata`): the median of each ground truth.\n\n");
        sb.Append("| stratum | points | ").Append(string.Join(" | ", s.Study.GroundTruths)).Append(" |\n|---|---:|").Append(string.Concat(s.Study.GroundTruths.Select(_ => "---:|"))).Append('\n');
        foreach (var stratum in StudySampling.StrataNames)
        {
            var members = pop.Where(k => s.Strata![k] == stratum).ToList();
            if (members.Count == 0) continue;
            sb.Append($"| {stratum} | {members.Count} | ").Append(string.Join(" | ", s.Study.GroundTruths.Select(g =>
            {
                var v = members.Select(k => s.Truths[g][k]).Where(double.IsFinite).Order().ToList();
                return v.Count == 0 ? "–" : Statistics.Quantile(v, 0.5).ToString("G4", Inv);
            }))).Append(" |\n");
        }
        return sb.ToString();
    }

    public static string SummaryCsv(StudySummary s)
    {
        var header = (s.SeveralSeeds ? new[] { "seed" } : Array.Empty<string>()).Concat(SummaryColumns).Concat(s.SeveralSeeds ? new[] { "sd_across_seeds" } : Array.Empty<string>());
        var sb = new StringBuilder(string.Join(",", header)).Append('\n');
        foreach (var r in s.Rows)
        {
            var f = new List<string>();
            if (s.SeveralSeeds) f.Add(r.Seed is int seed ? seed.ToString(Inv) : "mean");
            f.AddRange(new[] { r.Scorer, r.HardEnd, r.GroundTruth, r.N.ToString(Inv), F(r.Spearman), F(r.CiLow), F(r.CiHigh), F(r.Auroc) });
            if (s.SeveralSeeds) f.Add(r.Seed is null ? F(r.SpreadAcrossSeeds) : "");
            sb.Append(string.Join(",", f)).Append('\n');
        }
        return sb.ToString();
    }

    public static string RedundancyCsv(StudySummary s)
    {
        var sb = new StringBuilder("scorer,").Append(string.Join(",", s.Study.Scorers)).Append('\n');
        foreach (var a in s.Study.Scorers)
            sb.Append(a).Append(',').Append(string.Join(",", s.Study.Scorers.Select(b => F(s.Redundancy[a][b])))).Append('\n');
        return sb.ToString();
    }

    /// <summary>The rows of one seed (the mean rows with several seeds).</summary>
    public static IEnumerable<SummaryRow> Headline(StudySummary s) => s.Rows.Where(r => s.SeveralSeeds ? r.Seed == null : true);

    static string Cell(SummaryRow r) => double.IsNaN(r.Spearman) ? "–" : string.Create(Inv, $"{r.Spearman:+0.00;−0.00} [{r.CiLow:+0.00;−0.00}, {r.CiHigh:+0.00;−0.00}]");

    public static string Markdown(StudySummary s)
    {
        var sb = new StringBuilder();
        var st = s.Study;
        sb.Append($"# Study `{st.Name}`: does a score predict how hard a point is to unlearn?\n\n");
        sb.Append(string.Create(Inv, $"{st.N} {SettingField.Format(st.Candidates)} points of `{st.Dataset}` (seed{(st.Seeds.Length > 1 ? "s" : "")} {string.Join(", ", st.Seeds)}), the model and `{st.Kernel}` scores of matrix `{st.Matrix}`. "));
        sb.Append("Each cell: Spearman ρ of the score (oriented so that higher = harder by its declared hard end) with the ground truth, and its percentile-bootstrap 95 % interval ");
        sb.Append(string.Create(Inv, $"({st.Bootstrap} resamples); AUROC for \"hard\" = the top quarter of the ground truth. ρ > 0: the score's hard end does go with harder points.\n\n"));
        sb.Append("| scorer | hard end | ").Append(string.Join(" | ", st.GroundTruths.Select(g => $"{g} ρ [95 % CI]"))).Append(" | ")
          .Append(string.Join(" | ", st.GroundTruths.Select(g => $"{g} AUROC"))).Append(" |\n");
        sb.Append("|---|---|").Append(string.Concat(st.GroundTruths.Select(_ => "---:|"))).Append(string.Concat(st.GroundTruths.Select(_ => "---:|"))).Append('\n');
        var rows = Headline(s).ToList();
        foreach (var sc in st.Scorers)
        {
            var mine = rows.Where(r => r.Scorer == sc).ToDictionary(r => r.GroundTruth);
            sb.Append($"| {ScorerRegistry.Get(sc).Display} | {mine.Values.First().HardEnd} | ")
              .Append(string.Join(" | ", st.GroundTruths.Select(g => Cell(mine[g])))).Append(" | ")
              .Append(string.Join(" | ", st.GroundTruths.Select(g => double.IsNaN(mine[g].Auroc) ? "–" : mine[g].Auroc.ToString("F2", Inv)))).Append(" |\n");
        }
        sb.Append('\n');
        foreach (var g in st.GroundTruths)
        {
            var v = s.Populations[s.Populations.Keys.Min()].Select(k => s.Truths[g][k]).Where(double.IsFinite).Order().ToList();
            sb.Append(string.Create(Inv, $"- `{g}`: median {Statistics.Quantile(v, 0.5):G4}, quartiles {Statistics.Quantile(v, 0.25):G4} – {Statistics.Quantile(v, 0.75):G4}"));
            if (s.Censored.TryGetValue(g, out var c) && GroundTruthRegistry.Get(g).CensoringNote(s.Study.Probes, c) is { } censored) sb.Append("; ").Append(censored);
            sb.Append('\n');
        }
        if (s.Strata != null) sb.Append('\n').Append(StrataMarkdown(s));
        sb.Append("\nRank-equivalent scores (|Spearman| ≥ 0.95 between raw values, `redundancy.csv`): ");
        var pairs = new List<string>();
        for (int a = 0; a < st.Scorers.Length; a++)
            for (int b = a + 1; b < st.Scorers.Length; b++)
                if (Math.Abs(s.Redundancy[st.Scorers[a]][st.Scorers[b]]) >= 0.95)
                    pairs.Add(string.Create(Inv, $"{st.Scorers[a]} ~ {st.Scorers[b]} ({s.Redundancy[st.Scorers[a]][st.Scorers[b]]:+0.00;−0.00})"));
        sb.Append(pairs.Count == 0 ? "none" : string.Join(", ", pairs)).Append(".\n\n");
        sb.Append("How it was made: ").Append(string.Join("; ", s.Provenance.Select(kv => $"{kv.Key}: {kv.Value}"))).Append(".\n");
        return sb.ToString();
    }

    /// <summary>
    /// Compares summary.csv with the committed baselines (this machine's numerics class first, <see cref="Baselines"/>) under
    /// the study's tolerances and returns the one it matches; a mismatch writes the received table and fails naming each value.
    /// </summary>
    public static string Verify(StudySpec study, StudyFiles files)
    {
        var (rh, rrows) = Read(files.Summary);
        return Baselines.Verify(files.Dir, files.SummaryStem, files.Summary, files.Received, $"study {study.Name}",
            $"harness accept-study --study {study.Name} --why \"…\"", path => Compare(study, path, rh, rrows), shown: 40);
    }

    static List<string> Compare(StudySpec study, string verified, string[] rh, List<string[]> rrows)
    {
        var (vh, vrows) = Read(verified);
        var diffs = new List<string>();
        if (!vh.SequenceEqual(rh)) diffs.Add($"header {string.Join(",", rh)} differs from the baseline's {string.Join(",", vh)}");
        var received = rrows.ToDictionary(r => Key(rh, r));
        foreach (var v in vrows)
        {
            var key = Key(vh, v);
            if (!received.TryGetValue(key, out var r)) { diffs.Add($"{key}: missing"); continue; }
            for (int c = 0; c < vh.Length && c < r.Length; c++)
            {
                var col = vh[c];
                if (Compared.Contains(col))
                {
                    double a = double.Parse(v[c], NumberStyles.Float, Inv), b = double.Parse(r[c], NumberStyles.Float, Inv);
                    if (!study.ToleranceOf(col).Holds(a, b)) diffs.Add($"{key}: {col} {v[c]} → {r[c]}");
                }
                else if (col == "n" && v[c] != r[c]) diffs.Add($"{key}: n {v[c]} → {r[c]}");
            }
        }
        foreach (var k in received.Keys.Except(vrows.Select(v => Key(vh, v)))) diffs.Add($"{k}: not in the baseline");
        return diffs;
    }

    static string Key(string[] header, string[] row) =>
        string.Join("/", new[] { "seed", "scorer", "ground_truth" }.Select(c => Array.IndexOf(header, c)).Where(i => i >= 0).Select(i => row[i]));

    /// <summary>A study table's header and rows (no quoting: names and numbers only).</summary>
    public static (string[] Header, List<string[]> Rows) Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw new HarnessException($"{path}: empty.");
        return (lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToList());
    }

    /// <summary>Promotes summary.csv to the verified baseline and records how it was made.</summary>
    public static string Accept(StudySpec study, StudyFiles files, string? why)
    {
        var summary = files.Summary;
        if (!File.Exists(summary)) throw new HarnessException($"{summary}: not found; run `harness study --study {study.Name}` first.");
        var verified = VerifiedPath(files);
        File.Copy(summary, verified, overwrite: true);
        var md = Path.ChangeExtension(verified, ".md");
        var sb = new StringBuilder($"# Verified baseline of study `{study.Name}`\n\n");
        sb.Append($"Made by `harness study --study {study.Name}` (also run by `harness reproduce --matrix {study.Matrix}`), git {GitInfo.Commit}, on {Machine.Describe()} (numerics class {NumericsClass.Current}: it verifies runs of that class), code versions: {CodeVersion.Describe(study: true)}; ");
        sb.Append($"{DateTime.UtcNow:yyyy-MM-dd} UTC. Compared columns: {string.Join(", ", Compared)} (tolerance abs {string.Join(", ", Compared.Select(c => study.ToleranceOf(c).Abs.ToString("G", Inv)))}), and n exactly.\n");
        if (why != null) sb.Append($"\nWhy it changed: {why}\n");
        AtomicFile.WriteAllText(md, sb.ToString());
        File.Delete(files.Received);
        Baselines.RemoveStale(files.Dir, files.SummaryStem, CodeVersion.Describe(study: true));
        return verified;
    }
}
