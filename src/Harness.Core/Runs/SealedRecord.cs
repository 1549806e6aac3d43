using System.Security.Cryptography;
using System.Text;

namespace Harness.Runs;

/// <summary>
/// A result record that carries its own integrity: the JSON of the record with, as its first member, `seal`: the
/// SHA-256 of that JSON without the seal. A record whose text no longer matches its seal (a bit flipped, cut short,
/// edited) is damaged: the runners treat it as absent and compute it again, never read its numbers. Records written
/// before seals were kept read as unsealed (and are trusted as before).
/// </summary>
public static class SealedRecord
{
    const string Prefix = "{\n  \"seal\": \"";

    /// <summary>Writes <paramref name="record"/> sealed, atomically.</summary>
    public static void Write<T>(string path, T record)
    {
        string json = Json.Serialize(record);
        if (!json.StartsWith('{')) throw new ArgumentException("only a JSON object can be sealed", nameof(record));
        AtomicFile.WriteAllText(path, $"{Prefix}{Hash(json)}\",{json[1..]}");
    }

    /// <summary>Why the record at <paramref name="path"/> is damaged, or null when it is intact, unsealed or absent.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path)) return null;
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { return $"{path} cannot be read ({e.Message})"; }
        return Problem(path, text);
    }

    /// <summary>Whether the record at <paramref name="path"/> carries a seal (intact or not).</summary>
    public static bool IsSealed(string path) => File.Exists(path) && File.ReadAllText(path).StartsWith(Prefix, StringComparison.Ordinal);

    static string? Problem(string path, string text)
    {
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
            return text.Contains("\"seal\"", StringComparison.Ordinal) ? $"{path}: its seal is not where it is written (damaged)" : null;
        int end = Prefix.Length + 64;
        if (text.Length < end + 2 || text[end] != '"' || text[end + 1] != ',') return $"{path}: its seal is damaged";
        string seal = text[Prefix.Length..end], json = "{" + text[(end + 2)..];
        return Hash(json) == seal ? null : $"{path} does not match its seal (SHA-256 {Hash(json)[..12]}…, sealed {seal[..Math.Min(12, seal.Length)]}…): changed on disk";
    }

    static string Hash(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
}
