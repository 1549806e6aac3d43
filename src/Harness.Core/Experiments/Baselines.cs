using Harness.Numerics;

namespace Harness.Experiments;

/// <summary>
/// This machine's CPU class has no committed baseline, and the other classes' baselines differ from this run, as results
/// of different CPU classes do: the run finished, but nothing says whether its numbers drifted.
/// </summary>
public sealed class NoBaselineForClassException(string message) : VerificationFailedException(message);

/// <summary>
/// The committed baselines of one verified table, one per numerics class (<see cref="NumericsClass"/>):
/// `STEM.CLASS.verified.csv`, each with a `.md` saying how it was made. A table is checked against its own class's
/// baseline first; it holds if it matches that one, or any other class's (classes can be finer than the numerics need).
/// </summary>
public static class Baselines
{
    public static string PathOf(string dir, string stem, string numericsClass) => Runs.ResultsLayout.Baseline(dir, stem, numericsClass);

    /// <summary>This machine's baseline path.</summary>
    public static string PathOf(string dir, string stem) => PathOf(dir, stem, NumericsClass.Current);

    /// <summary>Every committed baseline of the table: (class, path), in name order.</summary>
    public static List<(string Class, string Path)> All(string dir, string stem)
    {
        if (!Directory.Exists(dir)) return new();
        string prefix = stem + ".", suffix = Runs.ResultsLayout.BaselineSuffix;
        return Directory.GetFiles(dir, $"{stem}.*{suffix}")
            .Select(p => Path.GetFileName(p))
            .Where(f => f.Length > prefix.Length + suffix.Length && f.StartsWith(prefix, StringComparison.Ordinal))
            .Select(f => (Class: f[prefix.Length..^suffix.Length], Path: Path.Combine(dir, f)))
            .Where(b => !b.Class.Contains('.'))
            .OrderBy(b => b.Class, StringComparer.Ordinal).ToList();
    }

    /// <summary>The code versions a baseline's .md records ("code versions: …;"), or null where it records none.</summary>
    public static string? CodeVersionsOf(string baselinePath)
    {
        var md = Path.ChangeExtension(baselinePath, ".md");
        if (!File.Exists(md)) return null;
        var m = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(md), @"code versions: ([^;\n]+)");
        return m.Success ? m.Groups[1].Value.Trim() : null;
    }

    /// <summary>
    /// After this class's baseline was accepted with <paramref name="codeVersions"/>: every other class's baseline made by
    /// other code versions is removed (it was made by code that no longer exists and cannot be remade on this CPU, so that
    /// class reports "not verified" until a machine of it accepts a new one); each removal, and each baseline that records
    /// no code versions, is reported on <paramref name="log"/>. Returns the removed paths.
    /// </summary>
    public static List<string> RemoveStale(string dir, string stem, string codeVersions, Action<string>? log = null)
    {
        log ??= Console.Error.WriteLine;
        var removed = new List<string>();
        foreach (var (cls, path) in All(dir, stem).Where(b => b.Class != NumericsClass.Current))
        {
            var theirs = CodeVersionsOf(path);
            if (theirs == null) { log($"{path}: records no code versions; kept. Remove it if this change moves its numbers."); continue; }
            if (theirs == codeVersions) continue;
            File.Delete(path);
            var md = Path.ChangeExtension(path, ".md");
            if (File.Exists(md)) File.Delete(md);
            removed.Add(path);
            log($"removed {Path.GetFileName(path)}: class {cls}'s baseline was made by code versions {theirs}, this code is {codeVersions}; remake it on a CPU of that class (`harness numerics` names the class).");
        }
        return removed;
    }

    /// <summary>
    /// Compares a table (the file <paramref name="table"/>) with each baseline, this class's first, through
    /// <paramref name="compare"/> (a baseline's path → the differences, one readable line each). Returns the matching
    /// baseline's path and deletes a stale received copy; otherwise copies the table to <paramref name="receivedPath"/>
    /// and throws: <see cref="VerificationFailedException"/> when this class's baseline differs or none exists at all,
    /// <see cref="NoBaselineForClassException"/> when only other classes have one.
    /// </summary>
    public static string Verify(string dir, string stem, string table, string receivedPath, string what, string accept, Func<string, List<string>> compare, int shown = 50)
    {
        var all = All(dir, stem);
        string mine = NumericsClass.Current;
        var ordered = all.Where(b => b.Class == mine).Concat(all.Where(b => b.Class != mine)).ToList();
        var results = new List<(string Class, string Path, List<string> Diffs)>();
        foreach (var (cls, path) in ordered)
        {
            var diffs = compare(path);
            if (diffs.Count == 0)
            {
                if (File.Exists(receivedPath)) File.Delete(receivedPath);
                return path;
            }
            results.Add((cls, path, diffs));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
        File.Copy(table, receivedPath, true);
        string how = $"if the change is intended, accept it with `{accept}` (it writes {Path.GetFileName(PathOf(dir, stem))})";
        if (results.Count == 0)
            throw new VerificationFailedException($"{PathOf(dir, stem)}: no verified baseline yet. Review {receivedPath} and accept it with `{accept}`.");
        string List(List<string> diffs) => string.Join("\n  ", diffs.Take(shown)) + (diffs.Count > shown ? $"\n  … and {diffs.Count - shown} more" : "");
        var own = results.FirstOrDefault(r => r.Class == mine);
        if (own.Path != null)
        {
            string others = results.Count > 1 ? $" (the baselines of {string.Join(", ", results.Where(r => r.Class != mine).Select(r => r.Class))} differ too)" : "";
            throw new VerificationFailedException($"{what} differs from {own.Path} in {own.Diffs.Count} value(s){others}:\n  {List(own.Diffs)}\nThe received table is {receivedPath}; {how}.");
        }
        var nearest = results.OrderBy(r => r.Diffs.Count).First();
        throw new NoBaselineForClassException(
            $"{what}: not verified: no baseline for this machine's numerics class {mine} ({Machine.Describe()}). The committed baselines are for " +
            $"{string.Join(", ", results.Select(r => r.Class))}, and results differ between CPU classes in their last bits (README, \"CPU numerics\"): " +
            $"the nearest, {Path.GetFileName(nearest.Path)}, differs in {nearest.Diffs.Count} value(s), e.g.\n  {List(nearest.Diffs.Take(5).ToList())}\n" +
            $"The run itself is complete. To verify later runs on this class, review {receivedPath} and add its baseline with `{accept}`.");
    }
}
