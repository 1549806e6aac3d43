using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Docs;

/// <summary>
/// A number README.md or docs/ quotes from the results is written <c>&lt;!--n:FILE|SELECTOR|FORMAT--&gt;TEXT&lt;!--/n--&gt;</c>
/// (the comments do not render): TEXT must be what FILE gives, formatted, so the prose cannot drift from the results.
/// FILE is relative to the repository. A `.json` SELECTOR is a path of keys and list positions joined by '/'; a `.csv`
/// SELECTOR is `col=value&amp;col=value/column` (the one matching row's column), `count:col=value&amp;…` (how many rows match;
/// `count:` alone counts them all), or `median:column`, `min:column`, `max:column` over the rows that match `…?filters`.
/// In any file (a generated REPORT.md), `re:PATTERN` takes the first match's group 1.
/// FORMAT is a .NET format string, invariant culture (`F3`, `P2`, `N0`, `+0.00;−0.00`).
/// </summary>
public class DocNumbersTests
{
    static readonly Regex Marker = new(@"<!--n:([^|>]+)\|([^|>]*)\|([^>]*?)-->(.*?)<!--/n-->", RegexOptions.Singleline);
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>README.md and every Markdown file under docs/.</summary>
    static IEnumerable<string> Documents() =>
        new[] { Path.Combine(Paths.RepoRoot, "README.md") }.Concat(Directory.EnumerateFiles(Path.Combine(Paths.RepoRoot, "docs"), "*.md", SearchOption.AllDirectories)).Order(StringComparer.Ordinal);

    /// <summary>Each marked number of a Markdown text that differs from its source: "doc: TEXT, but FILE gives VALUE".</summary>
    public static List<string> Mismatches(string name, string text, string root)
    {
        var problems = new List<string>();
        foreach (Match m in Marker.Matches(text))
        {
            string file = m.Groups[1].Value.Trim(), selector = m.Groups[2].Value.Trim(), format = m.Groups[3].Value.Trim(), quoted = m.Groups[4].Value;
            string expected;
            try { expected = Format(Value(Path.Combine(root, file), selector), format); }
            catch (Exception e) when (e is IOException or JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
            {
                problems.Add($"{name}: '{quoted}' from {file} [{selector}]: {e.Message}");
                continue;
            }
            if (expected != quoted) problems.Add($"{name}: '{quoted}', but {file} [{selector}] gives '{expected}'");
        }
        return problems;
    }

    static string Format(double value, string format) => value.ToString(format, Inv);

    static double Value(string path, string selector)
    {
        if (!File.Exists(path)) throw new IOException($"{path} does not exist");
        if (selector.StartsWith("re:", StringComparison.Ordinal))
        {
            var found = Regex.Match(File.ReadAllText(path), selector["re:".Length..]);
            if (!found.Success) throw new InvalidOperationException($"no match for /{selector["re:".Length..]}/");
            return double.Parse(found.Groups[1].Value.Replace(",", ""), Inv);
        }
        if (path.EndsWith(".json", StringComparison.Ordinal))
        {
            var node = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
            foreach (var key in selector.Split('/'))
                node = node.ValueKind == JsonValueKind.Array ? node[int.Parse(key, Inv)] : node.GetProperty(key);
            return node.GetDouble();
        }
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new KeyNotFoundException($"no column '{name}' in {path}");
        List<string[]> Where(string filters) => filters.Length == 0 ? rows : rows.Where(r => filters.Split('&').All(f =>
        {
            var (col, val) = (f[..f.IndexOf('=')], f[(f.IndexOf('=') + 1)..]);
            return r[Column(col)] == val;
        })).ToList();
        if (selector.StartsWith("count:", StringComparison.Ordinal)) return Where(selector["count:".Length..]).Count;
        foreach (var op in new[] { "median:", "min:", "max:" })
            if (selector.StartsWith(op, StringComparison.Ordinal))
            {
                var rest = selector[op.Length..];
                var (col, filters) = rest.Contains('?') ? (rest[..rest.IndexOf('?')], rest[(rest.IndexOf('?') + 1)..]) : (rest, "");
                var v = Where(filters).Select(r => double.Parse(r[Column(col)], Inv)).Order().ToArray();
                if (v.Length == 0) throw new InvalidOperationException("no row matches");
                return op == "min:" ? v[0] : op == "max:" ? v[^1] : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
            }
        int slash = selector.LastIndexOf('/');
        var match = Where(selector[..slash]);
        if (match.Count != 1) throw new InvalidOperationException($"{match.Count} rows match '{selector[..slash]}', not one");
        return double.Parse(match[0][Column(selector[(slash + 1)..])], Inv);
    }

    [Test]
    public void EveryNumberTheDocsQuoteFromTheResultsIsTheResults()
    {
        int marked = 0;
        var problems = new List<string>();
        foreach (var doc in Documents())
        {
            var text = File.ReadAllText(doc);
            marked += Marker.Matches(text).Count;
            problems.AddRange(Mismatches(Path.GetRelativePath(Paths.RepoRoot, doc), text, Paths.RepoRoot));
        }
        marked.Should().BeGreaterThan(10, "the README's headline numbers are marked");
        problems.Should().BeEmpty("a quoted number must be regenerated from its results file:\n" + string.Join("\n", problems));
    }

    [Test]
    public void AWrongNumberOrSelectorIsNamed()
    {
        var dir = TestSupport.TempDir("docnumbers");
        try
        {
            File.WriteAllText(Path.Combine(dir, "s.csv"), "scorer,truth,rho\npc,steps,0.97124\nmksd,steps,-0.3512\nssn,steps,0.5\n");
            File.WriteAllText(Path.Combine(dir, "p.json"), """{"auc": 0.5156475, "tpr": {"0.001": 0.0026}, "list": [1, 2.5]}""");
            string Doc(string body) => $"x {body} y";
            Mismatches("d", Doc("<!--n:s.csv|scorer=pc&truth=steps/rho|+0.00;−0.00-->+0.97<!--/n-->"), dir).Should().BeEmpty();
            Mismatches("d", Doc("<!--n:s.csv|scorer=mksd&truth=steps/rho|+0.00;−0.00-->−0.35<!--/n-->"), dir).Should().BeEmpty();
            Mismatches("d", Doc("<!--n:p.json|auc|F3-->0.516<!--/n--> <!--n:p.json|tpr/0.001|P2-->0.26 %<!--/n--> <!--n:p.json|list/1|F1-->2.5<!--/n-->"), dir).Should().BeEmpty();
            Mismatches("d", Doc("<!--n:s.csv|count:truth=steps|N0-->3<!--/n--> <!--n:s.csv|median:rho?truth=steps|F1-->0.5<!--/n--> <!--n:s.csv|max:rho|F2-->0.97<!--/n-->"), dir).Should().BeEmpty();
            File.WriteAllText(Path.Combine(dir, "r.md"), "original cnn2: test accuracy 0.9907 on 10,000 test images\n");
            Mismatches("d", Doc("<!--n:r.md|re:test accuracy ([0-9.]+) on|P2-->99.07 %<!--/n-->"), dir).Should().BeEmpty();
            Mismatches("d", Doc("<!--n:r.md|re:train accuracy ([0-9.]+)|F2-->0.99<!--/n-->"), dir).Should().ContainSingle().Which.Should().Contain("no match");
            Mismatches("d", Doc("<!--n:p.json|auc|F3-->0.517<!--/n-->"), dir).Should().ContainSingle().Which.Should().Contain("'0.517', but p.json [auc] gives '0.516'");
            Mismatches("d", Doc("<!--n:s.csv|scorer=pc/rho|F2-->0.97<!--/n-->"), dir).Should().BeEmpty("one row matches scorer=pc");
            Mismatches("d", Doc("<!--n:s.csv|truth=steps/rho|F2-->0.97<!--/n-->"), dir).Should().ContainSingle().Which.Should().Contain("3 rows match");
            Mismatches("d", Doc("<!--n:s.csv|scorer=pc/nope|F2-->0.97<!--/n-->"), dir).Should().ContainSingle().Which.Should().Contain("no column 'nope'");
            Mismatches("d", Doc("<!--n:missing.csv|count:|N0-->1<!--/n-->"), dir).Should().ContainSingle().Which.Should().Contain("does not exist");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void TheReadmeStaysShort()
    {
        var lines = File.ReadAllLines(Path.Combine(Paths.RepoRoot, "README.md")).Length;
        lines.Should().BeLessThanOrEqualTo(200, "README.md is for a newcomer: what it is, two commands, results, layout, how to extend, links; the manual is docs/");
    }
}
