using System.Globalization;
using Harness.Data;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Unlearning;
using YamlDotNet.RepresentationModel;

namespace Harness.Config;

/// <summary>
/// experiments.yaml: `datasets:` (user-declared data) and `matrices:` (name → axes and settings). Validated on load:
/// unknown keys, unknown names, wrong types, empty axes and out-of-range values are each one error with the line number.
/// </summary>
public sealed class ExperimentsFile
{
    public required string Path { get; init; }
    public required IReadOnlyList<DatasetSpec> DeclaredDatasets { get; init; }
    public required IReadOnlyDictionary<string, MatrixSpec> Matrices { get; init; }

    public MatrixSpec Matrix(string name) => Matrices.TryGetValue(name, out var m) ? m
        : throw new HarnessException($"{Path}: no matrix '{name}'; declared: {string.Join(", ", Matrices.Keys)}.");

    static readonly string[] TopKeys = { "datasets", "matrices" };
    static readonly string[] MatrixKeys = { "description", "datasets", "scorers", "sides", "points", "unlearners", "expansions", "seeds", "training", "scoring", "unlearning", "tolerances" };
    static readonly string[] TrainingKeys = { "model", "epochs", "lr", "batch", "optimizer", "threads", "device", "train_limit", "test_limit" };
    static readonly string[] ScoringKeys = { "score", "kernel", "bandwidth", "top_k", "block_size", "diagonal", "standardize", "ssn", "precision", "imq_c", "imq_beta", "spill" };
    static readonly string[] UnlearnKeys = { "optimizer", "lr", "epochs", "momentum", "weight_decay", "batch", "threshold", "alpha", "fisher_samples" };
    static readonly string[] ToleranceKeys = { "abs", "rel" };

    public static ExperimentsFile Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var root = YamlFile.LoadRoot(path) ?? throw new HarnessException($"{path}: the file is empty; it needs a `matrices:` section.");
        YamlFile.RejectUnknownKeys(path, root, TopKeys, "the top level");
        var declared = DatasetDeclarations.Read(path);
        var registry = new DatasetRegistry();
        foreach (var d in declared) registry.Register(d);
        var matrices = new Dictionary<string, MatrixSpec>(StringComparer.Ordinal);
        if (root.Children.TryGetValue(new YamlScalarNode("matrices"), out var mnode))
        {
            var map = mnode as YamlMappingNode ?? throw YamlFile.Error(path, mnode, "`matrices` must be a mapping of name → matrix.");
            foreach (var (key, value) in map.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9][a-z0-9_-]*$"))
                    throw YamlFile.Error(path, key, $"matrix name '{name}' must be lower-case letters, digits, '-' or '_'.");
                matrices[name] = ReadMatrix(path, name, value, registry);
            }
        }
        return new ExperimentsFile { Path = path, DeclaredDatasets = declared, Matrices = matrices };
    }

    static MatrixSpec ReadMatrix(string path, string name, YamlNode node, DatasetRegistry registry)
    {
        var m = node as YamlMappingNode ?? throw YamlFile.Error(path, node, $"matrix '{name}' must be a mapping.");
        YamlFile.RejectUnknownKeys(path, m, MatrixKeys, $"matrix '{name}'");
        string where = $"matrices.{name}";
        var datasets = StringList(path, m, "datasets", where, n => registry.Names.Contains(n), () => string.Join(", ", registry.Names.Order()));
        var scorers = StringList(path, m, "scorers", where, n => ScorerRegistry.Names.Contains(n), () => string.Join(", ", ScorerRegistry.Names));
        var sides = StringList(path, m, "sides", where, n => n is "easy" or "hard", () => "easy, hard");
        var unlearners = StringList(path, m, "unlearners", where, n => UnlearnerRegistry.Names.Contains(n), () => string.Join(", ", UnlearnerRegistry.Names));
        var expansions = IntList(path, m, "expansions", where, 0, 1_000_000);
        var seeds = IntList(path, m, "seeds", where, 0, int.MaxValue);
        int points = Int(path, m, "points", where, 1, 100_000) ?? throw YamlFile.Error(path, m, $"{where}: missing required key 'points' (points per side).");
        var training = new TrainingOverrides();
        if (Child(m, "training") is { } tn)
        {
            var t = Map(path, tn, $"{where}.training");
            YamlFile.RejectUnknownKeys(path, t, TrainingKeys, $"{where}.training");
            string tw = $"{where}.training";
            training = new TrainingOverrides
            {
                Model = Str(path, t, "model", tw, n => Models.ModelFactory.Names.Contains(n), () => string.Join(", ", Models.ModelFactory.Names)),
                Epochs = Int(path, t, "epochs", tw, 0, 10_000), LearningRate = Dbl(path, t, "lr", tw, 0, 100, exclusiveMin: true),
                BatchSize = Int(path, t, "batch", tw, 1, 1_000_000), Optimizer = Str(path, t, "optimizer", tw, n => n is "adam" or "sgd", () => "adam, sgd"),
                Threads = Int(path, t, "threads", tw, 0, 1024), Device = Str(path, t, "device", tw, n => n is "auto" or "cpu" or "cuda", () => "auto, cpu, cuda"),
                TrainLimit = Int(path, t, "train_limit", tw, 2, int.MaxValue), TestLimit = Int(path, t, "test_limit", tw, 1, int.MaxValue),
            };
        }
        var scoring = new ScoringOptions { TopK = expansions.Max() };
        if (Child(m, "scoring") is { } sn)
        {
            var s = Map(path, sn, $"{where}.scoring");
            YamlFile.RejectUnknownKeys(path, s, ScoringKeys, $"{where}.scoring");
            string sw = $"{where}.scoring";
            scoring = scoring with
            {
                Score = Str(path, s, "score", sw, n => n is "log_softmax" or "logit" or "logsumexp", () => "log_softmax, logit, logsumexp") ?? scoring.Score,
                Kernel = Str(path, s, "kernel", sw, n => n is "rbf" or "imq", () => "rbf, imq") ?? scoring.Kernel,
                Bandwidth = Dbl(path, s, "bandwidth", sw, 0, double.MaxValue, exclusiveMin: true),
                TopK = Int(path, s, "top_k", sw, 0, 1_000_000) ?? scoring.TopK,
                BlockSize = Int(path, s, "block_size", sw, 0, 1_000_000) ?? scoring.BlockSize,
                Diagonal = Str(path, s, "diagonal", sw, n => n is "exclude" or "include", () => "exclude, include") ?? scoring.Diagonal,
                Standardize = Str(path, s, "standardize", sw, n => n is "row" or "global", () => "row, global") ?? scoring.Standardize,
                Ssn = Str(path, s, "ssn", sw, n => n is "input" or "params", () => "input, params") ?? scoring.Ssn,
                Precision = Str(path, s, "precision", sw, n => n is "float32" or "float64", () => "float32, float64") ?? scoring.Precision,
                Spill = Str(path, s, "spill", sw, n => n is "auto" or "off", () => "auto, off") ?? scoring.Spill,
                ImqC = Dbl(path, s, "imq_c", sw, 0, double.MaxValue, exclusiveMin: true) ?? scoring.ImqC,
                ImqBeta = Dbl(path, s, "imq_beta", sw, -1, 0, exclusiveMin: true) ?? scoring.ImqBeta,
            };
            if (scoring.TopK < expansions.Max())
                throw YamlFile.Error(path, s, $"{sw}.top_k = {scoring.TopK} is smaller than the largest expansion {expansions.Max()}.");
        }
        var unlearning = new Dictionary<string, UnlearnOverrides>();
        if (Child(m, "unlearning") is { } un)
        {
            foreach (var (k, v) in Map(path, un, $"{where}.unlearning").Children)
            {
                var alg = ((YamlScalarNode)k).Value!;
                if (!UnlearnerRegistry.Names.Contains(alg))
                    throw YamlFile.Error(path, k, $"{where}.unlearning: unknown algorithm '{alg}'; known: {string.Join(", ", UnlearnerRegistry.Names)}.");
                var a = Map(path, v, $"{where}.unlearning.{alg}");
                YamlFile.RejectUnknownKeys(path, a, UnlearnKeys, $"{where}.unlearning.{alg}");
                string aw = $"{where}.unlearning.{alg}";
                unlearning[alg] = new UnlearnOverrides
                {
                    Optimizer = Str(path, a, "optimizer", aw, n => n is "sgd" or "adam", () => "sgd, adam"),
                    LearningRate = Dbl(path, a, "lr", aw, 0, 100), Epochs = Int(path, a, "epochs", aw, 0, 10_000),
                    Momentum = Dbl(path, a, "momentum", aw, 0, 1), WeightDecay = Dbl(path, a, "weight_decay", aw, 0, 1),
                    BatchSize = Int(path, a, "batch", aw, 1, 1_000_000), OverfitThreshold = Dbl(path, a, "threshold", aw, 0, 1e6),
                    Alpha = Dbl(path, a, "alpha", aw, 0, 1e6), FisherSamples = Int(path, a, "fisher_samples", aw, 0, int.MaxValue),
                };
            }
        }
        var tolerances = new Dictionary<string, Tolerance>();
        if (Child(m, "tolerances") is { } toln)
        {
            foreach (var (k, v) in Map(path, toln, $"{where}.tolerances").Children)
            {
                var col = ((YamlScalarNode)k).Value!;
                if (!MatrixSpec.DefaultTolerances.ContainsKey(col))
                    throw YamlFile.Error(path, k, $"{where}.tolerances: unknown column '{col}'; known: {string.Join(", ", MatrixSpec.DefaultTolerances.Keys)}.");
                var tm = Map(path, v, $"{where}.tolerances.{col}");
                YamlFile.RejectUnknownKeys(path, tm, ToleranceKeys, $"{where}.tolerances.{col}");
                tolerances[col] = new Tolerance(Dbl(path, tm, "abs", $"{where}.tolerances.{col}", 0, double.MaxValue) ?? 0,
                                                Dbl(path, tm, "rel", $"{where}.tolerances.{col}", 0, double.MaxValue) ?? 0);
            }
        }
        return new MatrixSpec
        {
            Name = name, Description = Str(path, m, "description", where, _ => true, () => "") ?? "",
            Datasets = datasets, Scorers = scorers, Sides = sides, Points = points, Unlearners = unlearners,
            Expansions = expansions, Seeds = seeds, Training = training, Scoring = scoring, Unlearning = unlearning, Tolerances = tolerances,
        };
    }

    static YamlNode? Child(YamlMappingNode m, string key) => m.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    static YamlMappingNode Map(string path, YamlNode node, string where) =>
        node as YamlMappingNode ?? throw YamlFile.Error(path, node, $"{where} must be a mapping.");

    static YamlSequenceNode Seq(string path, YamlMappingNode m, string key, string where)
    {
        var node = Child(m, key) ?? throw YamlFile.Error(path, m, $"{where}: missing required key '{key}'.");
        var seq = node as YamlSequenceNode ?? throw YamlFile.Error(path, node, $"{where}.{key} must be a list.");
        if (seq.Children.Count == 0) throw YamlFile.Error(path, node, $"{where}.{key} is empty; an axis needs at least one value.");
        return seq;
    }

    static string Scalar(string path, YamlNode node, string where) =>
        node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw YamlFile.Error(path, node, $"{where} must be a plain value, not a list or mapping.");

    static string[] StringList(string path, YamlMappingNode m, string key, string where, Func<string, bool> known, Func<string> names)
    {
        var list = new List<string>();
        foreach (var item in Seq(path, m, key, where))
        {
            var v = Scalar(path, item, $"{where}.{key}");
            if (!known(v)) throw YamlFile.Error(path, item, $"{where}.{key}: unknown name '{v}'; known: {names()}.");
            if (list.Contains(v)) throw YamlFile.Error(path, item, $"{where}.{key}: '{v}' is listed twice.");
            list.Add(v);
        }
        return list.ToArray();
    }

    static int[] IntList(string path, YamlMappingNode m, string key, string where, int min, int max)
    {
        var list = new List<int>();
        foreach (var item in Seq(path, m, key, where))
        {
            var v = ParseInt(path, item, $"{where}.{key}", min, max);
            if (list.Contains(v)) throw YamlFile.Error(path, item, $"{where}.{key}: {v} is listed twice.");
            list.Add(v);
        }
        return list.ToArray();
    }

    static int ParseInt(string path, YamlNode node, string where, int min, int max)
    {
        var s = Scalar(path, node, where);
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw YamlFile.Error(path, node, $"{where}: '{s}' is not an integer.");
        if (v < min || v > max) throw YamlFile.Error(path, node, $"{where}: {v} is out of range [{min}, {max}].");
        return v;
    }

    static int? Int(string path, YamlMappingNode m, string key, string where, int min, int max) =>
        Child(m, key) is { } n ? ParseInt(path, n, $"{where}.{key}", min, max) : null;

    static double? Dbl(string path, YamlMappingNode m, string key, string where, double min, double max, bool exclusiveMin = false)
    {
        if (Child(m, key) is not { } n) return null;
        var s = Scalar(path, n, $"{where}.{key}");
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw YamlFile.Error(path, n, $"{where}.{key}: '{s}' is not a finite number.");
        if (v < min || v > max || (exclusiveMin && v == min))
            throw YamlFile.Error(path, n, $"{where}.{key}: {s} is out of range {(exclusiveMin ? "(" : "[")}{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");
        return v;
    }

    static string? Str(string path, YamlMappingNode m, string key, string where, Func<string, bool> known, Func<string> names)
    {
        if (Child(m, key) is not { } n) return null;
        var v = Scalar(path, n, $"{where}.{key}");
        if (!known(v)) throw YamlFile.Error(path, n, $"{where}.{key}: unknown value '{v}'; use one of {names()}.");
        return v;
    }
}
