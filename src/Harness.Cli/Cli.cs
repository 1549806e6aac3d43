using Harness.Numerics;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;

namespace Harness.Cli;

/// <summary>
/// The `harness` command line, on System.CommandLine: every command and option is defined once (its help is generated
/// from the same definition that parses it). Exit codes: 0 success; 1 a verification mismatch or cells without a result;
/// 2 a user mistake (bad option, YAML, data), one `error:` line and no stack trace; 74 (EX_IOERR) the machine said no
/// (disk full, read-only folder, permission denied: <see cref="EnvironmentErrors"/>), one `error:` line, the stack trace
/// only with --verbose; <see cref="CrashExitCode"/> a crash.
/// </summary>
public static partial class Cli
{
    /// <summary>NotVerified: the run finished, but this CPU class has no baseline to verify it against (README, "CPU numerics").</summary>
    public const int Success = 0, Mismatch = 1, UserMistake = 2, NotVerified = 3, CrashExitCode = 70;
    const string VerboseName = "--verbose";

    /// <summary>The root command with every subcommand; tests read the option definitions from it.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("harness: unlearning-difficulty harness (KSD scores, unlearning, paper tables).\n" +
            "Data root: --data-root, else HARNESS_DATA, else data/. Checkpoint cache: HARNESS_CACHE, else .cache/. Results: --results, else HARNESS_RESULTS, else results/.");
        root.Subcommands.Add(TrainCommand.Build());
        root.Subcommands.Add(ScoreCommand.Build());
        root.Subcommands.Add(UnlearnCommand.Build());
        root.Subcommands.Add(ForgetCommand.Build());
        foreach (var c in MatrixCommands.Build()) root.Subcommands.Add(c);
        foreach (var c in ReportCommands.Build()) root.Subcommands.Add(c);
        foreach (var c in StudyCommand.Build()) root.Subcommands.Add(c);
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(NumericsCommand.Build());
        root.Subcommands.Add(ReferenceCommand.Build());
        foreach (var o in root.Options)
            if (o is VersionOption v) v.Action = new PrintVersion();
        root.Options.Add(new Option<bool>(VerboseName) { Description = "with an environment error (disk full, read-only, permission), also print its stack trace", Recursive = true });
        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0)
        {
            stderr.WriteLine("error: no command given; `harness --help` lists the commands.");
            return UserMistake;
        }
        if (CpuIsa.Problem is { } isa)
        {
            stderr.WriteLine($"error: {isa}");
            return UserMistake;
        }
        if (args[0] == "help") args = args.Length > 1 ? new[] { args[1], "--help" } : new[] { "--help" };
        var root = Root();
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            stderr.WriteLine($"error: {Explain(result)}");
            return UserMistake;
        }
        try
        {
            return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (VerificationFailedException e)
        {
            return Report(e, stderr);
        }
        catch (EnvironmentFailureException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return EnvironmentErrors.ExitCode;
        }
        catch (HarnessException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return UserMistake;
        }
        catch (Exception e) when (EnvironmentErrors.Describe(e) is { } what)
        {
            // a full disk, a read-only folder, a refused permission: the machine's state, not a bug
            stderr.WriteLine($"error: {what}");
            if (args.Contains(VerboseName)) stderr.WriteLine(e);
            return EnvironmentErrors.ExitCode;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"{Runs.WorkerLog.CrashHeader}\n{e}");
            return CrashExitCode;
        }
    }

    /// <summary>Prints a failed verification and returns its exit code: 3 where no baseline of this CPU class exists, else 1.</summary>
    public static int Report(HarnessException e, TextWriter? stderr = null)
    {
        stderr ??= Console.Error;
        if (e is Experiments.NoBaselineForClassException)
        {
            stderr.WriteLine(e.Message);
            return NotVerified;
        }
        stderr.WriteLine($"error: {e.Message}");
        return Mismatch;
    }

    /// <summary>The first parse error as one line, rewritten where the library's wording does not say what to do.</summary>
    static string Explain(ParseResult result)
    {
        var command = result.CommandResult.Command;
        string name = command is RootCommand ? "harness" : $"harness {command.Name}";
        var error = result.Errors[0];
        if (result.UnmatchedTokens.Count > 0)
        {
            string token = result.UnmatchedTokens[0];
            if (command is RootCommand)
            {
                var known = command.Subcommands.Select(c => c.Name).ToList();
                return $"unknown command '{token}'{Suggest(token, known)} `harness --help` lists the commands.";
            }
            if (!token.StartsWith('-'))
                return $"unexpected argument '{token}' for '{name}'; options are --name value. See `{name} --help`.";
            var options = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToList();
            return $"unknown option '{token}' for '{name}'{Suggest(token, options)} See `{name} --help`.";
        }
        if (RequiredOption().Match(error.Message) is { Success: true } m)
            return $"missing required option {m.Groups[1].Value} for '{name}'. See `{name} --help`.";
        if (MissingValue().Match(error.Message) is { Success: true } v)
            return $"option {v.Groups[1].Value} needs a value. See `{name} --help`.";
        if (Repeated().Match(error.Message) is { Success: true } r)
            return $"{r.Groups[1].Value} is given {r.Groups[2].Value} times; give it once.";
        return error.Message;
    }

    [GeneratedRegex("^Option '(.+)' is required\\.$")] private static partial Regex RequiredOption();
    [GeneratedRegex("^Required argument missing for option: '(.+)'\\.$")] private static partial Regex MissingValue();
    [GeneratedRegex("^Option '(.+)' expects a single argument but (\\d+) were provided\\.$")] private static partial Regex Repeated();

    /// <summary>"; did you mean --epochs?" for the closest known name, when one is close; else ".".</summary>
    static string Suggest(string token, IReadOnlyList<string> known)
    {
        var best = known.Select(k => (k, d: Distance(token, k))).OrderBy(x => x.d).ThenBy(x => x.k, StringComparer.Ordinal).FirstOrDefault();
        bool close = best.k != null && (best.d <= Math.Max(2, token.Length / 3) || best.k.StartsWith(token, StringComparison.Ordinal) || token.StartsWith(best.k, StringComparison.Ordinal));
        return close ? $"; did you mean {best.k}?" : ".";
    }

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    /// <summary>`harness --version`: the harness version and git commit, TorchSharp and LibTorch.</summary>
    sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(
                $"harness {Versions.Harness.Split('+')[0]} (git {GitInfo.Commit}), TorchSharp {Versions.TorchSharp}, LibTorch {Versions.LibTorch}; " +
                $"code versions: {CodeVersion.Describe(study: true)}; CPU instruction set {CpuIsa.Describe()}");
            return Success;
        }
    }
}
