using System.Globalization;

namespace Harness.Cli;

/// <summary>`--name value` options after a command word; every option must be known to the command.</summary>
sealed class CliArgs
{
    readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    readonly HashSet<string> used = new(StringComparer.Ordinal);

    public CliArgs(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new Harness.HarnessException($"unexpected argument '{a}'; options look like --name value.");
            var eq = a.IndexOf('=');
            if (eq > 0) { values[a[2..eq]] = a[(eq + 1)..]; continue; }
            var name = a[2..];
            if (i + 1 >= list.Count) throw new Harness.HarnessException($"option --{name} needs a value.");
            values[name] = list[++i];
        }
    }

    public string? String(string name) { used.Add(name); return values.TryGetValue(name, out var v) ? v : null; }

    public int? Int(string name)
    {
        var s = String(name);
        if (s == null) return null;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new Harness.HarnessException($"--{name} '{s}' is not an integer.");
    }

    public double? Double(string name)
    {
        var s = String(name);
        if (s == null) return null;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new Harness.HarnessException($"--{name} '{s}' is not a finite number.");
    }

    /// <summary>Fails on any option the command did not read.</summary>
    public void RejectUnused(string command)
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new Harness.HarnessException($"unknown option(s) for '{command}': {string.Join(", ", unknown.Select(u => "--" + u))}. Run `harness help`.");
    }
}
