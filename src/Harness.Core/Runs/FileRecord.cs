namespace Harness.Runs;

/// <summary>
/// What a file the harness may reuse must still be: its SHA-256 and byte count, written into the record that owns it
/// (a scoring run's meta.json, a checkpoint's KEY.json, a population model's record) after the file itself is in place.
/// On reuse the file is checked against it first; one that differs is never reused but recomputed.
/// </summary>
public sealed record FileRecord(string Sha256, long Bytes)
{
    public static FileRecord Of(string path) => new(Fingerprint.FileHash(path), new FileInfo(path).Length);

    /// <summary>The records of the given files that exist, keyed by their path relative to <paramref name="dir"/>.</summary>
    public static Dictionary<string, FileRecord> OfFiles(string dir, IEnumerable<string> paths) =>
        paths.Where(File.Exists).ToDictionary(p => Path.GetRelativePath(dir, p).Replace('\\', '/'), Of);

    /// <summary>Why the file at <paramref name="path"/> is not the one this record describes, or null when it is.</summary>
    public string? Problem(string path)
    {
        if (!File.Exists(path)) return $"{path} is missing";
        long bytes = new FileInfo(path).Length;
        if (bytes != Bytes) return $"{path} has {bytes:N0} bytes where its record says {Bytes:N0} (cut short or rewritten)";
        string sha = Fingerprint.FileHash(path);
        return sha == Sha256 ? null : $"{path} has SHA-256 {sha[..12]}… where its record says {Sha256[..12]}… (changed on disk)";
    }
}
