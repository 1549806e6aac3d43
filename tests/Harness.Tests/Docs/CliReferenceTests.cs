using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Docs;

/// <summary>
/// docs/cli.md is `harness reference`'s output, made from the definitions that parse the options: it cannot drift from
/// the parser. A difference writes docs/cli.received.md (git-ignored) beside it.
/// </summary>
public class CliReferenceTests
{
    [Test]
    public void DocsCliIsTheParsersReference()
    {
        var path = Path.Combine(Paths.RepoRoot, "docs", "cli.md");
        var received = Path.Combine(Paths.RepoRoot, "docs", "cli.received.md");
        var generated = Harness.Cli.ReferenceCommand.Markdown();
        var committed = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : "";
        if (committed == generated) { if (File.Exists(received)) File.Delete(received); return; }
        File.WriteAllText(received, generated);
        Assert.Fail($"docs/cli.md differs from the parser's reference; review {received} and regenerate with `make docs`.");
    }

    [Test]
    public void TheReferenceListsEveryCommandAndOption()
    {
        var reference = Harness.Cli.ReferenceCommand.Markdown();
        foreach (var command in Harness.Cli.Cli.Root().Subcommands.Where(c => !c.Hidden))
        {
            reference.Should().Contain($"\n## `harness {command.Name}`\n", "every command has a section");
            foreach (var option in command.Options.Where(o => !o.Hidden && o.Name.StartsWith("--", StringComparison.Ordinal)))
                reference.Should().Contain(option.Name, $"harness {command.Name} {option.Name} is described");
        }
    }
}
