using Harness.Experiments;
using System.Globalization;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Training;

namespace Harness.Forget;

/// <summary>One scorer's value for a requested point and its hardness percentile (100 = the hardest end) among a reference population.</summary>
public sealed record ScorerReading(string Scorer, string Display, string HardEnd, double Value, double HardnessPercentile, string Among);

/// <summary>One of a requested point's top Stein neighbours.</summary>
public sealed record NeighborEntry(int Rank, int Index, long Label, double Kappa);

/// <summary>Lower quartile, median and upper quartile.</summary>
public sealed record Quartiles(double Q1, double Median, double Q3)
{
    public static Quartiles Of(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        return new Quartiles(Harness.Study.Statistics.Quantile(s, 0.25), Harness.Study.Statistics.Quantile(s, 0.5), Harness.Study.Statistics.Quantile(s, 0.75));
    }
}

/// <summary>One ground truth over the study points of the same decile: its quartiles and the share of those points that were censored.</summary>
public sealed record TruthSpread(string GroundTruth, Quartiles Quartiles, double? CensoredShare);

/// <summary>
/// What a validation study observed for points whose score lies in the same decile (of the study's points, by that scorer)
/// as the requested point: how many there were and the spread of each ground truth.
/// </summary>
public sealed record StudyLookup(string Study, string Scorer, int Decile, int Points, IReadOnlyList<TruthSpread> Truths);

/// <summary>Everything known about one requested point before any change.</summary>
public sealed record PointPlan(int Index, long Label, long Predicted, double Confidence, IReadOnlyList<ScorerReading> Scores,
    IReadOnlyList<NeighborEntry> Neighbors, RetrainTarget Target, IReadOnlyList<StudyLookup> Study, double Phi = double.NaN);

/// <summary>Why a study was or was not compared with this request.</summary>
public sealed record StudyUse(string Study, bool Used, string Note, IReadOnlyList<string> Scorers);

public static class ForgetPlanning
{
    /// <summary>
    /// The hardness percentile of <paramref name="value"/> among <paramref name="reference"/>: the share of the reference
    /// that is easier (by the scorer's hard end), ties counted half, in percent.
    /// </summary>
    public static double HardnessPercentile(IScorer scorer, double value, IReadOnlyList<double> reference)
    {
        double v = ScorerRegistry.Oriented(scorer, value);
        double below = 0;
        int count = 0;
        foreach (double r in reference)
        {
            if (double.IsNaN(r)) continue;
            double o = ScorerRegistry.Oriented(scorer, r);
            if (o < v) below++;
            else if (o == v) below += 0.5;
            count++;
        }
        return count == 0 ? double.NaN : 100 * below / count;
    }


    /// <summary>
    /// The studies of this data set and model (experiments file) whose points can be compared with a request on this
    /// checkpoint: same checkpoint (their provenance.json), and per scorer the same definition — the kernel scorers only
    /// when the study's kernel profile equals these scoring options, held-out KL only with the same half-data models.
    /// </summary>
    public static List<(StudySpec Spec, StudyUse Use, string[] Header, List<string[]> Rows)> Studies(ExperimentsFile? file, string resultsRoot, string dataset,
        string model, string checkpointSha, ScoringOptions scoring, int populationModels)
    {
        var list = new List<(StudySpec, StudyUse, string[], List<string[]>)>();
        if (file == null) return list;
        foreach (var study in file.Studies.Values.Where(s => s.Dataset == dataset))
        {
            var matrix = file.Matrix(study.Matrix);
            if ((matrix.Training.Model ?? Profiles.DatasetProfiles.Of(dataset).Model) != model) continue;
            var files = new Runs.ResultsLayout(resultsRoot).Study(study.Name);
            string dir = files.Dir, points = files.Points, prov = files.Provenance;
            StudyUse Skip(string why) => new(study.Name, false, why, Array.Empty<string>());
            if (!File.Exists(points)) { list.Add((study, Skip($"no results in {dir} (run `harness study --study {study.Name}`)"), [], [])); continue; }
            if (!File.Exists(prov))
            {
                list.Add((study, Skip($"{dir} has no provenance.json, so nothing says which checkpoint its points describe (made before studies wrote it: rerun `harness study --study {study.Name}`)"), [], []));
                continue;
            }
            Dictionary<string, string> provenance;
            try { provenance = Json.Deserialize<Dictionary<string, string>>(File.ReadAllText(prov)); }
            catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { list.Add((study, Skip($"{prov} is unreadable ({e.Message})"), [], [])); continue; }
            if (!provenance.TryGetValue("checkpoint_sha256", out var sha) || sha != checkpointSha)
            {
                list.Add((study, Skip($"it was made on checkpoint {Short(sha)}, this model is {Short(checkpointSha)}: its numbers describe another model"), [], []));
                continue;
            }
            var (header, rows) = Harness.Study.StudyTables.Read(points);
            if (header.Contains("seed")) { list.Add((study, Skip("it has several seeds; the lookup reads one population"), [], [])); continue; }
            bool sameKernel = matrix.KernelNamed(study.Kernel).KappaDifferences(scoring).Count == 0;
            // the study's held-out KL reads its matrix's population: the same models as this request's when M and the halves' seed agree (the checkpoint does, above)
            bool sameHalves = matrix.Population is { Seed: null } pop && pop.Models == populationModels;
            var usable = study.Scorers.Where(s => header.Contains(s) && (!ScorerRegistry.Get(s).Reads.HasFlag(Quantities.KernelRows) || sameKernel) && (!ScorerRegistry.Get(s).Reads.HasFlag(Quantities.Population) || sameHalves)).ToList();
            var notes = new List<string> { $"same checkpoint; {rows.Count} points" };
            if (!sameKernel) notes.Add($"its kernel {study.Kernel} differs from this request's, so MKSD/MSKSD/EMSKSD are not compared");
            if (!sameHalves) notes.Add($"its held-out KL comes from matrix {study.Matrix}'s population ({matrix.Population?.Models.ToString() ?? "none"} models), not this request's {populationModels}, so it is not compared");
            list.Add((study, new StudyUse(study.Name, true, string.Join("; ", notes), usable), header, rows));
        }
        return list;
    }

    /// <summary>The study points in the requested point's decile of one scorer, and the spread of each ground truth over them.</summary>
    public static StudyLookup? Lookup(string study, IScorer scorer, double value, string[] header, List<string[]> rows)
    {
        int col = Array.IndexOf(header, scorer.Name);
        if (col < 0) return null;
        var values = rows.Select(r => Parse(r[col])).ToArray();
        int decile = Decile(HardnessPercentile(scorer, value, values));
        var members = rows.Where((r, k) => Decile(HardnessPercentile(scorer, values[k], values)) == decile).ToList();
        var truths = new List<TruthSpread>();
        foreach (var (name, c) in header.Select((h, c) => (h, c)).Where(x => x.h.StartsWith("gt_", StringComparison.Ordinal)))
        {
            int censoredCol = Array.IndexOf(header, "censored_" + name[3..]);
            truths.Add(new TruthSpread(name, Quartiles.Of(members.Select(r => Parse(r[c])).Where(v => !double.IsNaN(v)).ToList()),
                censoredCol < 0 || members.Count == 0 ? null : members.Count(r => r[censoredCol] == "1") / (double)members.Count));
        }
        return new StudyLookup(study, scorer.Name, decile, members.Count, truths);
    }

    /// <summary>0 for percentiles [0, 10), …, 9 for [90, 100].</summary>
    public static int Decile(double percentile) => double.IsNaN(percentile) ? -1 : Math.Clamp((int)Math.Floor(percentile / 10), 0, 9);

    static double Parse(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    static string Short(string? sha) => sha == null ? "unknown" : sha[..Math.Min(12, sha.Length)];
}
