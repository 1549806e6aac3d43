using System.Security.Cryptography;
using System.Text;

namespace Harness.Runs;

/// <summary>
/// What a result was made from: readable inputs (`training.lr` → `0.001`, `code.scoring` → a hash, …) and their SHA-256.
/// Two results with the same hash were made from the same data, settings, model, scores, versions and code.
/// The git commit is recorded for humans but is not an input: the code versions are.
/// </summary>
public sealed record Fingerprint(string Hash, SortedDictionary<string, string> Inputs)
{
    public static Fingerprint Of(IEnumerable<KeyValuePair<string, string>> inputs)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in inputs) sorted[k] = v;
        var text = string.Concat(sorted.Select(kv => $"{kv.Key}={kv.Value}\n"));
        return new Fingerprint(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32], sorted);
    }

    /// <summary>The inputs that differ, as `key old → new` (absent shown as "none").</summary>
    public static List<(string Key, string Was, string Now)> Differences(Fingerprint was, Fingerprint now) =>
        was.Inputs.Keys.Union(now.Inputs.Keys).Order(StringComparer.Ordinal)
            .Select(k => (k, was.Inputs.GetValueOrDefault(k, "none"), now.Inputs.GetValueOrDefault(k, "none")))
            .Where(d => d.Item2 != d.Item3).ToList();

    public static string Describe(IEnumerable<(string Key, string Was, string Now)> differences, int max = 3)
    {
        var list = differences.ToList();
        var shown = list.Take(max).Select(d => $"{d.Key} {Short(d.Was, d.Now)} → {Short(d.Now, d.Was)}");
        return string.Join(", ", shown) + (list.Count > max ? $" (and {list.Count - max} more)" : "");
    }

    /// <summary>A long value (a hash) cut to 12 characters, from the end when the two values share their start.</summary>
    static string Short(string v, string other)
    {
        if (v.Length <= 20) return v;
        return other.Length > 12 && v[..12] == other[..12] ? "…" + v[^12..] : v[..12] + "…";
    }

    /// <summary>Hex SHA-256 of a file's bytes.</summary>
    public static string FileHash(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <summary>Every public property of a settings record as `prefix.key` (its YAML key where it has one, else snake_case) → invariant text.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Flatten(string prefix, object settings) =>
        settings.GetType().GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), true).Length == 0)
            .Select(p => KeyValuePair.Create(
                $"{prefix}.{(p.GetCustomAttributes(typeof(Config.SettingAttribute), true).FirstOrDefault() as Config.SettingAttribute)?.Key ?? System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)}",
                Config.SettingField.Format(p.GetValue(settings))));
}
