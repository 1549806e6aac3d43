using System.Text.RegularExpressions;
using Harness.Jobs;
using Harness.Runs;

namespace Harness.Pipelines;

/// <summary>What `harness verify --integrity` found wrong with one file.</summary>
public enum IntegrityFault
{
    /// <summary>The file differs from its record (bits flipped, cut short, rewritten).</summary>
    Corrupt,
    /// <summary>A record names a file that is not there.</summary>
    Missing,
    /// <summary>A file nothing records (a temporary file of a killed process, a checkpoint or φ table without its record).</summary>
    Orphaned,
    /// <summary>A scoring run made before records were kept: it cannot be checked, and the next run scores it again.</summary>
    Unrecorded,
}

/// <param name="Record">The record that owns the file, where one does (a scoring run's meta.json, a model's record, a checkpoint's KEY.json).</param>
public sealed record IntegrityFinding(IntegrityFault Fault, string Path, string Detail, string? Record = null);

/// <summary>
/// Checks every file the harness may reuse against the record that owns it, in a results folder and in the cache:
/// the files of each scoring run against its meta.json, each population model's φ table against its record, each cached
/// checkpoint against its KEY.json; and lists what no record owns. <see cref="Repair"/> deletes each corrupt or missing
/// file with the record that owns it (so the artefact is simply absent and the next run computes it again) and each
/// orphaned file. Cell records, study points and population model records carry their own seal (<see cref="SealedRecord"/>)
/// and are checked against it. Merged tables are not checked: `merge` and `verify` rebuild them from the records.
/// </summary>
public static partial class IntegrityCheck
{
    /// <summary>Exit codes of `harness verify --integrity`, the worst fault found deciding: nothing wrong 0.</summary>
    public static int ExitCode(IReadOnlyCollection<IntegrityFinding> findings) =>
        findings.Any(f => f.Fault == IntegrityFault.Corrupt) ? 5 :
        findings.Any(f => f.Fault == IntegrityFault.Missing) ? 6 :
        findings.Any(f => f.Fault == IntegrityFault.Orphaned) ? 7 : 0;

    /// <summary>Every fault under <paramref name="resultsRoot"/> and <paramref name="cacheRoot"/> (either may be absent), and how many files were checked.</summary>
    public static (List<IntegrityFinding> Findings, int Checked) Run(string resultsRoot, string? cacheRoot)
    {
        var findings = new List<IntegrityFinding>();
        int checkedFiles = 0;
        void Check(string path, FileRecord record, string owner)
        {
            checkedFiles++;
            if (!File.Exists(path)) findings.Add(new(IntegrityFault.Missing, path, $"recorded in {owner}", owner));
            else if (record.Problem(path) is { } problem) findings.Add(new(IntegrityFault.Corrupt, path, problem, owner));
        }

        if (Directory.Exists(resultsRoot))
        {
            foreach (var meta in Directory.EnumerateFiles(resultsRoot, "meta.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var run = new ScoringRunFiles(Path.GetDirectoryName(meta)!);
                ScoreMeta? m;
                try { m = Util.Json.Deserialize<ScoreMeta>(File.ReadAllText(meta)); }
                catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { findings.Add(new(IntegrityFault.Corrupt, meta, $"unreadable ({e.Message})")); continue; }
                if (m?.Files == null) { findings.Add(new(IntegrityFault.Unrecorded, meta, "a scoring run made before integrity records were kept")); continue; }
                foreach (var (name, record) in m.Files) Check(Path.Combine(run.Dir, name), record, meta);
            }
            foreach (var models in Directory.EnumerateDirectories(resultsRoot, "models", SearchOption.AllDirectories).Where(d => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))!) == "population"))
            {
                var recorded = new HashSet<string>();
                foreach (var json in Directory.EnumerateFiles(models, "m*.json").Order(StringComparer.Ordinal))
                {
                    Experiments.PopulationModelRecord? r;
                    try { r = Util.Json.Deserialize<Experiments.PopulationModelRecord>(File.ReadAllText(json)); }
                    catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { findings.Add(new(IntegrityFault.Corrupt, json, $"unreadable ({e.Message})")); continue; }
                    if (r == null) continue;
                    var table = Path.Combine(models, r.Confidences);
                    recorded.Add(table);
                    Check(table, new FileRecord(r.ConfidencesSha256, r.ConfidencesBytes), json);
                }
                foreach (var table in Directory.EnumerateFiles(models, "*.phi.npy").Where(t => !recorded.Contains(t)))
                    findings.Add(new(IntegrityFault.Orphaned, table, "a φ table no model record names"));
            }
            // the sealed records: cells, study points, population models
            foreach (var json in Directory.EnumerateFiles(resultsRoot, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (!SealedRecord.IsSealed(json) && Path.GetFileName(Path.GetDirectoryName(json)) is not ("points" or "models") && !json.Contains($"{Path.DirectorySeparatorChar}cells{Path.DirectorySeparatorChar}")) continue;
                checkedFiles++;
                if (SealedRecord.Problem(json) is { } damaged) findings.Add(new(IntegrityFault.Corrupt, json, damaged));
            }
            Temporaries(resultsRoot, findings);
        }
        if (cacheRoot != null && Directory.Exists(new CacheLayout(cacheRoot).Checkpoints))
        {
            var dir = new CacheLayout(cacheRoot).Checkpoints;
            foreach (var json in Directory.EnumerateFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                var pt = Path.ChangeExtension(json, ".pt");
                if (SealedRecord.Problem(json) is { } damaged) { findings.Add(new(IntegrityFault.Corrupt, json, damaged, pt)); continue; }
                CheckpointInfo? info;
                try { info = Util.Json.Deserialize<CheckpointInfo>(File.ReadAllText(json)); }
                catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { findings.Add(new(IntegrityFault.Corrupt, json, $"unreadable ({e.Message})")); continue; }
                if (info != null) Check(pt, new FileRecord(info.Sha256, info.Bytes), json);
            }
            foreach (var pt in Directory.EnumerateFiles(dir, "*.pt").Where(p => !File.Exists(Path.ChangeExtension(p, ".json"))))
                findings.Add(new(IntegrityFault.Orphaned, pt, "a checkpoint without its record (its training was killed before the record was written)"));
            Temporaries(cacheRoot, findings);
        }
        return (findings, checkedFiles);
    }

    /// <summary>Temporary files of atomic writes (.NAME.PID.GUID.tmp) whose process is gone.</summary>
    static void Temporaries(string root, List<IntegrityFinding> findings)
    {
        foreach (var tmp in Directory.EnumerateFiles(root, ".*.tmp", SearchOption.AllDirectories))
            if (TempName().Match(Path.GetFileName(tmp)) is { Success: true } m && !FileLock.Alive(int.Parse(m.Groups[1].Value)))
                findings.Add(new(IntegrityFault.Orphaned, tmp, $"a temporary file of process {m.Groups[1].Value}, which is gone"));
    }

    [GeneratedRegex(@"^\..+\.(\d+)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TempName();

    /// <summary>Deletes each corrupt or missing file with its record, and each orphaned file; returns what it removed.</summary>
    public static List<string> Repair(IEnumerable<IntegrityFinding> findings)
    {
        var removed = new List<string>();
        foreach (var f in findings.Where(f => f.Fault != IntegrityFault.Unrecorded))
            foreach (var target in new[] { f.Path, f.Fault == IntegrityFault.Orphaned ? null : f.Record })
                if (target != null && File.Exists(target)) { File.Delete(target); removed.Add(target); }
        return removed;
    }
}
