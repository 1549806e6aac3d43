using System.Text.RegularExpressions;
using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Cli;

/// <summary>
/// README.md's "Command reference" documents each command's options under a `### harness NAME` heading; this compares
/// them with the parser's definitions, per command, both ways, so the documentation cannot drift from the parser.
/// </summary>
public class ReadmeOptionsTests
{
    /// <summary>Command → the `--options` its README section names.</summary>
    public static Dictionary<string, HashSet<string>> Documented(string readme)
    {
        int start = readme.IndexOf("\n## Command reference", StringComparison.Ordinal);
        if (start < 0) throw new AssertionException("README.md has no '## Command reference' section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        var result = new Dictionary<string, HashSet<string>>();
        foreach (Match m in Regex.Matches(section, @"\n### `harness ([a-z-]+)`(.*?)(?=\n### |\z)", RegexOptions.Singleline))
            result[m.Groups[1].Value] = Regex.Matches(m.Groups[2].Value, @"(?<![\w-])--[a-z][a-z0-9-]*").Select(x => x.Value).ToHashSet();
        return result;
    }

    public static Dictionary<string, HashSet<string>> Parsed() =>
        Harness.Cli.Cli.Root().Subcommands.ToDictionary(c => c.Name,
            c => c.Options.Where(o => !o.Hidden).Select(o => o.Name).Where(n => n is not ("--help" or "-h" or "-?")).ToHashSet());

    public static List<string> Differences(Dictionary<string, HashSet<string>> documented, Dictionary<string, HashSet<string>> parsed)
    {
        var problems = new List<string>();
        foreach (var (command, options) in parsed)
        {
            if (!documented.TryGetValue(command, out var doc)) { problems.Add($"`harness {command}` has no section in README.md's command reference"); continue; }
            foreach (var o in options.Except(doc).Order()) problems.Add($"harness {command}: {o} is accepted but not documented in README.md");
            foreach (var o in doc.Except(options).Order()) problems.Add($"harness {command}: {o} is documented in README.md but not accepted");
        }
        foreach (var command in documented.Keys.Except(parsed.Keys)) problems.Add($"README.md documents `harness {command}`, which does not exist");
        return problems;
    }

    [Test]
    public void ReadmeDocumentsExactlyTheOptionsEachCommandAccepts()
    {
        var readme = File.ReadAllText(Path.Combine(Paths.RepoRoot, "README.md"));
        var problems = Differences(Documented(readme), Parsed());
        problems.Should().BeEmpty(string.Join("\n", problems));
    }

    [Test]
    public void TheComparisonNoticesAnOptionMissingFromEitherSide()
    {
        var parsed = Parsed();
        var documented = parsed.ToDictionary(kv => kv.Key, kv => kv.Value.ToHashSet());
        Differences(documented, parsed).Should().BeEmpty();
        documented["train"].Remove("--epochs");
        documented["score"].Add("--colour");
        Differences(documented, parsed).Should().BeEquivalentTo(
            "harness train: --epochs is accepted but not documented in README.md",
            "harness score: --colour is documented in README.md but not accepted");
    }
}
