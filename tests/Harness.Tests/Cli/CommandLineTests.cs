using Harness.Experiments;
using System.CommandLine;
using FluentAssertions;
using Harness.Config;
using NUnit.Framework;
using static Harness.Cli.Cli;

namespace Harness.Tests.Cli;

/// <summary>The `harness` command line in-process: help for every command, one `error:` line and exit 2 for every mistake.</summary>
public class CommandLineTests
{
    /// <summary>Runs the command line in-process: its exit code and what it wrote to each stream.</summary>
    internal static (int Code, string Out, string Err) Harness(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    static IEnumerable<string> CommandNames() => Root().Subcommands.Select(c => c.Name);

    [TestCaseSource(nameof(CommandNames))]
    public void EveryCommandAnswersHelpWithEveryOptionItAccepts(string command)
    {
        var options = Root().Subcommands.Single(c => c.Name == command).Options.Where(o => !o.Hidden).Select(o => o.Name).ToList();
        options.Should().NotBeEmpty();
        foreach (var flag in new[] { "--help", "-h" })
        {
            var (code, output, err) = Harness(command, flag);
            code.Should().Be(0, err);
            foreach (var o in options) output.Should().Contain(o, $"`harness {command} {flag}` lists {o}");
        }
    }

    [Test]
    public void RootHelpListsEveryCommandWithOneLine()
    {
        var (code, output, _) = Harness("--help");
        code.Should().Be(0);
        foreach (var c in Root().Subcommands)
            output.Should().MatchRegex($"\\n\\s+{c.Name}\\s+\\S.*\\n", $"`{c.Name}` has one line in `harness --help`");
        Harness("help").Code.Should().Be(0);
        Harness("help", "train").Out.Should().Contain("--epochs");
    }

    [Test]
    public void VersionNamesTheHarnessItsCommitTorchSharpAndLibTorch()
    {
        var (code, output, _) = Harness("--version");
        code.Should().Be(0);
        output.Should().MatchRegex(@"^harness \S+ \(git ([0-9a-f]{7,}|unknown)\), TorchSharp 0\.107\.0, LibTorch 2\.10\.0; code versions: training [0-9a-f]{16}, scoring [0-9a-f]{16}, unlearning [0-9a-f]{16}, study [0-9a-f]{16}; CPU instruction set ");
    }

    static void OneErrorLine(string err)
    {
        var lines = err.TrimEnd('\n').Split('\n');
        lines.Should().HaveCount(1, "a mistake is one line: " + err);
        lines[0].Should().StartWith("error: ");
        err.Should().NotContain("   at ", "no stack trace for a user mistake");
    }

    [TestCase(new[] { "train", "--epoch", "3" }, "unknown option '--epoch' for 'harness train'; did you mean --epochs?")]
    [TestCase(new[] { "train", "--epochs", "3", "--epochs", "4" }, "--epochs is given 2 times; give it once.")]
    [TestCase(new[] { "train", "--epochs", "three" }, "--epochs: 'three' is not an integer.")]
    [TestCase(new[] { "train", "--epochs", "-1" }, "--epochs: -1 is out of range [0, 10000].")]
    [TestCase(new[] { "train", "--epochs" }, "option --epochs needs a value.")]
    [TestCase(new[] { "train", "--lr", "NaN" }, "--lr: 'NaN' is not a finite number.")]
    [TestCase(new[] { "train", "--device", "tpu" }, "--device: unknown device 'tpu'; allowed: auto, cpu, cuda.")]
    [TestCase(new[] { "train", "--dataset", "mnits" }, "--dataset: unknown data set 'mnits'; allowed: cifar10, fashion-mnist, mnist, svhn.")]
    [TestCase(new[] { "train", "mnist" }, "unexpected argument 'mnist' for 'harness train'")]
    [TestCase(new[] { "trian" }, "unknown command 'trian'; did you mean train?")]
    [TestCase(new[] { "list" }, "missing required option --matrix for 'harness list'.")]
    [TestCase(new[] { "unlearn", "--target", "3" }, "missing required option --algorithm for 'harness unlearn'.")]
    [TestCase(new[] { "unlearn", "--algorithm", "scrub", "--target", "3" }, "--algorithm: unknown unlearning algorithm 'scrub'; allowed: gradascent, finetune, fisher, retrain.")]
    [TestCase(new[] { "unlearn", "--algorithm", "fisher", "--target", "3", "--unlearn-lr", "0.1" }, "--unlearn-lr does not apply to fisher; its settings: --unlearn-batch, --unlearn-alpha, --unlearn-fisher-samples.")]
    [TestCase(new[] { "score", "--kernel", "gauss" }, "--kernel: unknown kernel 'gauss'; allowed: rbf, imq.")]
    [TestCase(new[] { "score", "--bandwidth", "0" }, "--bandwidth: '0' is not a bandwidth; allowed: median, dimension, or a number above 0 (h).")]
    [TestCase(new[] { "score", "--space", "both" }, "--space: unknown kernel space 'both'; allowed: input, joint")]
    [TestCase(new[] { "score", "--candidates", "right" }, "--candidates: unknown candidates 'right'; allowed: all, correct")]
    [TestCase(new[] { "run", "--matrix", "ci", "--shard", "4/4" }, "--shard '4/4' must be i/n")]
    [TestCase(new[] { "run", "--matrix", "nope" }, "no matrix 'nope'")]
    [TestCase(new[] { "forget", "--out", "/tmp/x" }, "give the records to forget with exactly one of --indices i,j,... and --indices-file FILE.")]
    [TestCase(new[] { "forget", "--indices", "1", "--indices-file", "f.txt", "--out", "/tmp/x" }, "exactly one of --indices")]
    [TestCase(new[] { "forget", "--indices", "17,x", "--out", "/tmp/x" }, "--indices: entry 2: 'x' is not a training-set index")]
    [TestCase(new[] { "forget", "--indices", "17,4242,17", "--out", "/tmp/x" }, "--indices: index 17 is listed more than once")]
    [TestCase(new[] { "forget", "--indices-file", "/nonexistent/request.txt", "--out", "/tmp/x" }, "--indices-file /nonexistent/request.txt: file not found.")]
    [TestCase(new[] { "forget", "--indices", "17", "--algorithm", "scrub", "--out", "/tmp/x" }, "--algorithm: unknown unlearning algorithm 'scrub'")]
    [TestCase(new[] { "forget", "--indices", "17", "--expansion", "lots", "--out", "/tmp/x" }, "--expansion: 'lots' is neither auto nor a whole number")]
    [TestCase(new[] { "forget", "--indices", "17" }, "missing required option --out for 'harness forget'.")]
    [TestCase(new string[0], "no command given")]
    public void AMistakeIsOneErrorLineWithExitCode2(string[] args, string message)
    {
        var (code, _, err) = Harness(args);
        code.Should().Be(UserMistake, err);
        OneErrorLine(err);
        err.Should().Contain(message);
    }

    /// <summary>The same bad value typed on the command line and in experiments.yaml gets the same message; YAML adds file, line and field.</summary>
    [TestCase("--optimizer", "adamw", "training: { optimizer: adamw }", "training.optimizer")]
    [TestCase("--device", "gpu", "training: { device: gpu }", "training.device")]
    [TestCase("--model", "vgg", "training: { model: vgg }", "training.model")]
    [TestCase("--kernel", "gauss", "scoring: { kernel: gauss }", "scoring.kernel")]
    [TestCase("--score", "logp", "scoring: { score: logp }", "scoring.score")]
    [TestCase("--diagonal", "keep", "scoring: { diagonal: keep }", "scoring.diagonal")]
    [TestCase("--standardize", "col", "scoring: { standardize: col }", "scoring.standardize")]
    [TestCase("--ssn", "output", "scoring: { ssn: output }", "scoring.ssn")]
    [TestCase("--precision", "float16", "scoring: { precision: float16 }", "scoring.precision")]
    [TestCase("--spill", "on", "scoring: { spill: on }", "scoring.spill")]
    [TestCase("--top-k", "many", "scoring: { top_k: many }", "scoring.top_k")]
    [TestCase("--unlearn-optimizer", "adamw", "unlearning: { gradascent: { optimizer: adamw } }", "unlearning.gradascent.optimizer")]
    [TestCase("--unlearn-alpha", "-1", "unlearning: { fisher: { alpha: -1 } }", "unlearning.fisher.alpha")]
    public void TheCommandLineAndTheYamlGiveTheSameMessage(string option, string value, string yaml, string field)
    {
        string command = option.StartsWith("--unlearn", StringComparison.Ordinal) ? "unlearn" : option is "--optimizer" or "--device" or "--model" ? "train" : "score";
        var args = new List<string> { command, option, value };
        if (command == "unlearn") args.AddRange(new[] { "--algorithm", option == "--unlearn-alpha" ? "fisher" : "gradascent", "--target", "0" });
        var (code, _, err) = Harness(args.ToArray());
        code.Should().Be(UserMistake, err);
        OneErrorLine(err);
        err.Should().StartWith($"error: {option}: ");
        string cliMessage = err.Trim()[$"error: {option}: ".Length..];

        var dir = TestSupport.TempDir("cli-yaml");
        try
        {
            var path = Path.Combine(dir, "experiments.yaml");
            File.WriteAllText(path, $"matrices:\n  m:\n    datasets: [mnist]\n    scorers: [pc]\n    sides: [easy]\n    points: 1\n    unlearners: [gradascent]\n    expansions: [0]\n    seeds: [0]\n    {yaml}\n");
            var act = () => ExperimentsFile.Load(path);
            act.Should().Throw<HarnessException>().WithMessage($"{path}:10: matrices.m.{field}: {cliMessage}");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void VerificationWithoutResultsExitsWith1()
    {
        var dir = TestSupport.TempDir("cli-verify");
        try
        {
            var (code, _, err) = Harness("verify", "--matrix", "ci", "--results", dir);
            code.Should().Be(Mismatch, err);
            err.Should().Contain("have no result");
        }
        finally { Directory.Delete(dir, true); }
    }
}
