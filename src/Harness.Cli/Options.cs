using Harness.Experiments;
using System.CommandLine.Parsing;
using Harness.Data;
using Harness.Jobs;
using Harness.Models;
using Harness.Scoring;
using Harness.Training;

namespace Harness.Cli;

/// <summary>
/// Option definitions. Every option takes exactly one value (given twice is an error) through the parser that
/// experiments.yaml uses too (<see cref="Choice"/>, <see cref="SettingField.Parse"/>), so a bad value gets the same
/// message in both places. The help shows each option's type or allowed values and its default.
/// </summary>
static class Opt
{
    public static Option<T> Make<T>(string name, string help, string type, string? defaultText, Func<string, T> parse, bool required = false)
    {
        var o = new Option<T>(name)
        {
            Description = defaultText == null ? help : $"{help} [default: {defaultText}]",
            HelpName = type,
            Required = required,
            Arity = ArgumentArity.ExactlyOne,
        };
        o.CustomParser = r => Parse(r, name, parse);
        return o;
    }

    static T Parse<T>(ArgumentResult r, string name, Func<string, T> parse)
    {
        if (r.Tokens.Count != 1)
        {
            r.AddError($"{name} is given {r.Tokens.Count} times; give it once.");
            return default!;
        }
        try { return parse(r.Tokens[0].Value); }
        catch (HarnessException e)
        {
            r.AddError($"{name}: {e.Message}");
            return default!;
        }
    }

    /// <summary>An on/off switch (present = on).</summary>
    public static Option<bool> Flag(string name, string help) => new(name) { Description = help };

    public static Option<int?> Int(string name, string help, string? defaultText, long min = int.MinValue, long max = int.MaxValue, bool required = false) =>
        Make<int?>(name, help, "integer", defaultText, raw => Choice.ParseInt(raw, min, max), required);

    public static Option<double?> Double(string name, string help, string? defaultText, double min = double.NegativeInfinity, bool exclusiveMin = false) =>
        Make<double?>(name, help, "number", defaultText, raw => Choice.ParseDouble(raw, min, exclusiveMin: exclusiveMin));

    public static Option<string?> Text(string name, string help, string type, string? defaultText, bool required = false) =>
        Make<string?>(name, help, type, defaultText, raw => raw.Length > 0 ? raw : throw new HarnessException("an empty value is not allowed."), required);

    public static Option<T?> Enum<T>(string name, string help, string? defaultText) where T : struct, System.Enum =>
        Make<T?>(name, help, string.Join("|", Choice.Names<T>()), defaultText, raw => Choice.Parse<T>(raw));

    /// <summary>A registry name (data set, model, algorithm, scorer): allowed names in the help, the registry's own message on a mistake.</summary>
    public static Option<string?> Name(string name, string help, IEnumerable<string> allowed, string? defaultText, Func<string, string> parse, bool required = false) =>
        Make<string?>(name, help, string.Join("|", allowed), defaultText, parse, required);

    /// <summary>An option made from a declared setting (scoring options, unlearner settings).</summary>
    public static Option<object?> Setting(SettingField f, string name, string help, string? defaultText) =>
        Make<object?>(name, help, f.TypeName, defaultText, f.Parse);

    public static Command With(this Command c, params Option[] options)
    {
        foreach (var o in options) c.Options.Add(o);
        return c;
    }
}

/// <summary>
/// The options of every command that needs a trained model (`train`, `score`, `unlearn`, `forget`, `bench`): the data
/// set, the seed and where things are, and one option per training setting that <see cref="TrainingOverrides"/> declares.
/// </summary>
sealed class TrainOptionSet
{
    // Checked when read, against the built-ins and the data sets the experiments file declares.
    public readonly Option<string?> Dataset = Opt.Name("--dataset", "data set (or one declared in the experiments file)",
        DatasetRegistry.WithDeclared(null).Names.Order(), "mnist", raw => raw);
    public readonly Option<int?> Seed = Opt.Int("--seed", "training seed (initial weights, shuffling)", "0", 0);
    public readonly Option<string?> DataRoot = Opt.Text("--data-root", "data root", "dir", "$HARNESS_DATA, else data/");
    public readonly Option<string?> Config = Opt.Text("--config", "experiments file (declared data sets)", "file", "experiments.yaml");
    readonly List<(SettingField Field, Option<object?> Option)> settings = new();

    /// <param name="trainLimitHelp">What --train-limit means for the command: train on the first N points (train, unlearn) or score only them (score, bench).</param>
    public TrainOptionSet(string trainLimitHelp)
    {
        // Null keeps the data set's profile (Table 4); the help says what that is for MNIST.
        var mnist = Profiles.DatasetProfiles.Of("mnist");
        var table4 = new Dictionary<string, object>
        {
            ["model"] = mnist.Model, ["epochs"] = mnist.Training.Epochs, ["lr"] = mnist.Training.LearningRate,
            ["batch"] = mnist.Training.BatchSize, ["optimizer"] = mnist.Training.Optimizer,
        };
        foreach (var f in SettingsSchema.Fields(typeof(TrainingOverrides)))
        {
            string defaultText = f.Key switch
            {
                "threads" => "0",
                "device" => "auto",
                "train_limit" or "test_limit" => "all",
                "canaries" => "none",
                "canary_seed" => "0",
                _ => $"the data set's (Table 4: mnist {SettingField.Format(table4[f.Key])})",
            };
            settings.Add((f, Opt.Setting(f, f.Option, f.Key == "train_limit" ? trainLimitHelp : f.Help, defaultText)));
        }
    }

    public Option<object?> TrainLimit => settings.Single(s => s.Field.Key == "train_limit").Option;

    public Option[] All => new Option[] { Dataset, Seed }.Concat(settings.Select(s => (Option)s.Option)).Concat(new Option[] { DataRoot, Config }).ToArray();

    /// <summary>The training options given; <paramref name="trainLimit"/> false when --train-limit limits scoring, not training.</summary>
    public TrainOptions Read(ParseResult r, bool trainLimit = true)
    {
        var config = r.GetValue(Config);
        var dataset = r.GetValue(Dataset) ?? "mnist";
        var registry = DatasetRegistry.WithDeclared(config ?? Path.Combine(Paths.RepoRoot, "experiments.yaml"));
        try { registry.Parse(dataset); }
        catch (HarnessException e) { throw new HarnessException($"--dataset: {e.Message}"); }
        var given = new Dictionary<string, object>();
        foreach (var (f, o) in settings)
            if (r.GetValue(o) is { } v && (trainLimit || f.Key != "train_limit")) given[f.Key] = v;
        return SettingsSchema.With(new TrainOptions { Dataset = dataset, Seed = r.GetValue(Seed), DataRoot = r.GetValue(DataRoot), ConfigPath = config }, given);
    }
}

/// <summary>The scoring options (`score`, `unlearn`, `bench`), one per setting that <see cref="ScoringOptions"/> declares.</summary>
sealed class ScoringOptionSet
{
    readonly List<(SettingField Field, Option<object?> Option)> options = new();

    public ScoringOptionSet()
    {
        var defaults = new ScoringOptions();
        foreach (var f in SettingsSchema.Fields(typeof(ScoringOptions)))
        {
            var d = f.Property.GetValue(defaults);
            string defaultText = f.Key switch { "bandwidth" => "the median heuristic", "scratch" => "$HARNESS_SCRATCH, else the temp directory", "block_size" => "0", _ => SettingField.Format(d) };
            options.Add((f, Opt.Setting(f, f.Option, f.Help, defaultText)));
        }
    }

    public Option[] All => options.Select(o => (Option)o.Option).ToArray();

    public ScoringOptions Read(ParseResult r)
    {
        var given = new Dictionary<string, object>();
        foreach (var (f, o) in options)
            if (r.GetValue(o) is { } v) given[f.Key] = v;
        var s = SettingsSchema.With(new ScoringOptions(), given);
        s.Validate();
        return s;
    }
}

/// <summary>The options of the commands that train or reuse a model and score it (`score`, `unlearn`, `forget`, `bench`).</summary>
sealed class ModelOptionSet(string trainLimitHelp)
{
    public readonly TrainOptionSet Train = new(trainLimitHelp);
    public readonly ScoringOptionSet Scoring = new();
    public Option[] All => Train.All.Concat(Scoring.All).ToArray();
}

/// <summary>`--matrix`, `--config`, `--results` of the matrix commands.</summary>
sealed class MatrixOptionSet(bool required, string? defaultMatrix = null)
{
    public readonly Option<string?> Matrix = Opt.Text("--matrix", "matrix name in the experiments file", "name", defaultMatrix, required);
    public readonly Option<string?> Config = Opt.Text("--config", "experiments file", "file", "experiments.yaml");
    public readonly Option<string?> Results = Opt.Text("--results", "results root", "dir", "$HARNESS_RESULTS, else results/");

    public Option[] All => new Option[] { Matrix, Config, Results };

    public (ExperimentsFile File, MatrixSpec Matrix, string ResultsRoot) Read(ParseResult r)
    {
        var file = ExperimentsFile.Load(r.GetValue(Config) ?? Path.Combine(Paths.RepoRoot, "experiments.yaml"));
        var name = r.GetValue(Matrix) ?? defaultMatrix ?? throw new HarnessException("--matrix is required.");
        return (file, file.Matrix(name), Path.GetFullPath(r.GetValue(Results) ?? Paths.ResultsRoot));
    }
}
