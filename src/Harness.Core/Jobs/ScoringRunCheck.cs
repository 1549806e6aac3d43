using Harness.Numerics;
using Harness.Runs;
using Harness.Scoring;

namespace Harness.Jobs;

/// <summary>What a caller takes from a scoring run: only the neighbour lists (κ must match), or the scores themselves (every setting must).</summary>
public enum ScoringRunUse { Neighbors, Scores }

/// <summary>
/// The one answer to "is this scoring run still the one for this checkpoint and kernel?", used by `run`, `study`,
/// `unlearn` and `forget`. A run is complete when meta.json (written last) and the files the use needs exist; it belongs
/// when meta.json records this checkpoint, this scoring code, this number of points and the same κ, and every file it
/// wrote still has the SHA-256 and size meta.json records; for its scores also the same settings (the spill location
/// aside), candidates and CPU numerics mode.
/// </summary>
public static class ScoringRunCheck
{
    /// <summary>Why the run in <paramref name="files"/> cannot be used, or null when it can.</summary>
    public static string? Mismatch(ScoringRunFiles files, string checkpointSha256, ScoringOptions scoring, int n, ScoringRunUse use,
        Candidates? candidates = null, int topK = 0)
    {
        if (!File.Exists(files.Meta)) return File.Exists(files.Scores) ? $"{files.Meta} is missing, so nothing says what made the run" : "no complete scoring run";
        foreach (var f in use == ScoringRunUse.Scores ? new[] { files.Scores, files.NeighborIndices, files.NeighborValues } : new[] { files.NeighborIndices })
            if (!File.Exists(f)) return $"{f} is missing";
        ScoreMeta meta;
        try { meta = Json.Deserialize<ScoreMeta>(File.ReadAllText(files.Meta)); }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or IOException) { return $"{files.Meta} is unreadable ({e.Message})"; }
        if (meta.CheckpointSha256 != checkpointSha256)
            return $"it was made with checkpoint {Short(meta.CheckpointSha256)}, this model is {Short(checkpointSha256)}";
        if (meta.CodeVersion != CodeVersion.Scoring) return $"it was made by scoring code {meta.CodeVersion ?? "unknown"}, this is {CodeVersion.Scoring}";
        if (meta.N != n) return $"it covers {meta.N} points, the training set has {n}";
        var differs = meta.Options.KappaDifferences(scoring);
        if (differs.Count > 0)
            return "it was made with " + string.Join(", ", differs.Select(d => $"{d.Name} {SettingField.Format(d.This)} (now {SettingField.Format(d.Other)})"));
        if (meta.TopK < topK) return $"it keeps {meta.TopK} neighbours, {topK} are needed";
        // every file it wrote is the file it wrote: a bit flipped or a file cut short on disk is recomputed, never used
        if (meta.Files == null) return $"{files.Meta} records no SHA-256 of its files (it was made before they were kept)";
        if (FirstDamaged(files, meta) is { } damaged) return damaged;
        if (use == ScoringRunUse.Neighbors) return null;
        var settings = Fingerprint.Differences(Fingerprint.Of(Settings(meta.Options)), Fingerprint.Of(Settings(scoring)));
        if (settings.Count > 0) return "it was made with other settings: " + Fingerprint.Describe(settings);
        if (candidates is { } c && meta.Candidates != SettingField.Format(c)) return $"its ranks cover {meta.Candidates} points, now {SettingField.Format(c)}";
        if (meta.Isa != CpuIsa.Describe()) return $"it was made in CPU mode {meta.Isa ?? "unknown"}, this is {CpuIsa.Describe()}";
        return null;
    }

    /// <summary>The first file of the run that differs from the record in its meta.json, or null (also for a run made before records were kept).</summary>
    public static string? Damaged(ScoringRunFiles files)
    {
        if (!File.Exists(files.Meta)) return null;
        ScoreMeta meta;
        try { meta = Json.Deserialize<ScoreMeta>(File.ReadAllText(files.Meta)); }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { return $"{files.Meta} is unreadable ({e.Message})"; }
        return FirstDamaged(files, meta);
    }

    static string? FirstDamaged(ScoringRunFiles files, ScoreMeta meta) =>
        meta.Files?.Select(f => f.Value.Problem(Path.Combine(files.Dir, f.Key))).FirstOrDefault(p => p != null);

    /// <summary>The scoring settings as fingerprint inputs; where the spill file goes changes nothing in the results.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings(ScoringOptions scoring) =>
        Fingerprint.Flatten("scoring", scoring).Where(kv => kv.Key != "scoring.scratch");

    static string Short(string? sha) => sha == null ? "unknown" : sha[..Math.Min(12, sha.Length)];
}
