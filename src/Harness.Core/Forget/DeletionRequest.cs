using System.Globalization;

namespace Harness.Forget;

/// <summary>
/// The training records a deletion request names: indices into the training set, from `--indices 17,4242` or from a file
/// with one index per line (blank lines and `#` comments allowed). Every mistake is one error naming where it is.
/// </summary>
public static class DeletionRequest
{
    /// <summary>Indices from a comma-separated list.</summary>
    public static int[] Parse(string text, string source = "--indices")
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.All(p => p.Length == 0)) throw new HarnessException($"{source}: no indices given; list training-set positions, e.g. {source} 17,4242.");
        var list = new List<int>();
        for (int k = 0; k < parts.Length; k++)
        {
            if (parts[k].Length == 0) throw new HarnessException($"{source}: entry {k + 1} is empty (two commas in a row, or a trailing comma).");
            list.Add(Index(parts[k], $"{source}: entry {k + 1}"));
        }
        return list.ToArray();
    }

    /// <summary>Indices from a file, one per line.</summary>
    public static int[] ReadFile(string path)
    {
        if (!File.Exists(path)) throw new HarnessException($"--indices-file {path}: file not found.");
        var lines = File.ReadAllLines(path);
        var list = new List<int>();
        for (int l = 0; l < lines.Length; l++)
        {
            var line = lines[l];
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = line.Trim();
            if (line.Length == 0) continue;
            list.Add(Index(line, $"{path}:{l + 1}"));
        }
        if (list.Count == 0) throw new HarnessException($"{path}: the file lists no indices (one training-set position per line).");
        return list.ToArray();
    }

    static int Index(string text, string where)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
            throw new HarnessException($"{where}: '{text}' is not a training-set index (a whole number ≥ 0).");
        return i;
    }

    /// <summary>Fails on an index outside [0, n) or given twice.</summary>
    public static void Check(IReadOnlyList<int> indices, int n, string source)
    {
        if (indices.Count == 0) throw new HarnessException($"{source}: no indices given.");
        foreach (int i in indices)
            if (i < 0 || i >= n) throw new HarnessException($"{source}: index {i} is out of range; the training set has {n} points (0 to {n - 1}).");
        var twice = indices.GroupBy(i => i).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (twice.Count > 0) throw new HarnessException($"{source}: index {string.Join(", ", twice)} is listed more than once; name each record once.");
    }
}
