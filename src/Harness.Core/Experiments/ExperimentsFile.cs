using System.Globalization;
using Harness.Data;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Unlearning;
using YamlDotNet.RepresentationModel;

namespace Harness.Experiments;

/// <summary>
/// experiments.yaml: `datasets:` (user-declared data) and `matrices:` (name → axes and settings). Validated on load:
/// unknown keys, unknown names, wrong types, empty axes and out-of-range values are each one error with the line number.
/// </summary>
public sealed class ExperimentsFile
{
    public required string Path { get; init; }
    public required IReadOnlyList<DatasetSpec> DeclaredDatasets { get; init; }
    public required IReadOnlyDictionary<string, MatrixSpec> Matrices { get; init; }
    public IReadOnlyDictionary<string, StudySpec> Studies { get; init; } = new Dictionary<string, StudySpec>();

    public MatrixSpec Matrix(string name) => Matrices.TryGetValue(name, out var m) ? m
        : throw new HarnessException($"{Path}: no matrix '{name}'; declared: {string.Join(", ", Matrices.Keys)}.");

    public StudySpec Study(string name) => Studies.TryGetValue(name, out var s) ? s
        : throw new HarnessException($"{Path}: no study '{name}'; declared: {(Studies.Count == 0 ? "none" : string.Join(", ", Studies.Keys))}.");

    /// <summary>The studies that use a matrix's model (run by `harness reproduce --matrix NAME` after the matrix).</summary>
    public IEnumerable<StudySpec> StudiesOf(string matrix) => Studies.Values.Where(s => s.Matrix == matrix);

    static readonly string[] TopKeys = { "datasets", "matrices", "studies" };
    static readonly string[] StudyKeys = { "description", "matrix", "dataset", "kernel", "candidates", "sample", "n", "seeds", "scorers", "ground_truths", "ulira_models", "probe", "ladder", "collateral_test_sample", "bootstrap", "workers", "tolerances" };
    static readonly string[] ProbeKeys = { "lr", "max_steps" };
    static readonly string[] MatrixKeys = { "description", "datasets", "scorers", "sides", "points", "unlearners", "expansions", "seeds", "training", "scoring", "kernels", "candidates", "evaluation", "workers", "unlearning", "tolerances", "population" };
    static readonly string[] PopulationKeys = { "models", "seed", "held_out", "calibration" };
    static readonly string[] EvaluationKeys = { "remain_sample" };
    static readonly string[] ToleranceKeys = { "abs", "rel" };

    public static ExperimentsFile Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        var root = YamlFile.LoadRoot(path) ?? throw new HarnessException($"{path}: the file is empty; it needs a `matrices:` section.");
        YamlFile.RejectUnknownKeys(path, root, TopKeys, "the top level");
        var declared = DatasetDeclarations.Read(path);
        var registry = new DatasetRegistry();
        foreach (var d in declared) registry.Register(d);
        var matrices = Named(path, root, "matrices", "matrix", (name, key, value) => ReadMatrix(path, name, value, registry));
        var studies = Named(path, root, "studies", "study", (name, key, value) => matrices.ContainsKey(name)
            ? throw YamlFile.Error(path, key, $"study '{name}' has the name of a matrix; both write results/{name}/, so give it another.")
            : ReadStudy(path, name, value, matrices));
        return new ExperimentsFile { Path = path, DeclaredDatasets = declared, Matrices = matrices, Studies = studies };
    }

    /// <summary>A top-level mapping of name → entry (`matrices`, `studies`); names are lower-case letters, digits, '-' or '_'.</summary>
    static Dictionary<string, T> Named<T>(string path, YamlMappingNode root, string section, string what, Func<string, YamlNode, YamlNode, T> read)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        if (!root.Children.TryGetValue(new YamlScalarNode(section), out var node)) return result;
        var map = node as YamlMappingNode ?? throw YamlFile.Error(path, node, $"`{section}` must be a mapping of name → {what}.");
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9][a-z0-9_-]*$"))
                throw YamlFile.Error(path, key, $"{what} name '{name}' must be lower-case letters, digits, '-' or '_'.");
            result[name] = read(name, key, value);
        }
        return result;
    }

    static StudySpec ReadStudy(string path, string name, YamlNode node, IReadOnlyDictionary<string, MatrixSpec> matrices)
    {
        var m = node as YamlMappingNode ?? throw YamlFile.Error(path, node, $"study '{name}' must be a mapping.");
        foreach (var gone in new[] { "half_models", "half_epochs" })
            if (Child(m, gone) != null)
                throw YamlFile.Error(path, m.Children.Keys.First(k => k is YamlScalarNode { Value: var v } && v == gone), $"studies.{name}.{gone}: the half-data models were replaced by the matrix's population of reference models (`population: {{ models: M }}` on the matrix, trained with the original's recipe); remove the key.");
        YamlFile.RejectUnknownKeys(path, m, StudyKeys, $"study '{name}'");
        string where = $"studies.{name}";
        string Required(string key) => Child(m, key) is { } n ? Scalar(path, n, $"{where}.{key}") : throw YamlFile.Error(path, m, $"{where}: missing required key '{key}'.");
        var matrixName = Required("matrix");
        var matrix = matrices.TryGetValue(matrixName, out var mx) ? mx
            : throw YamlFile.Error(path, Child(m, "matrix")!, $"{where}.matrix: no matrix '{matrixName}'; declared: {string.Join(", ", matrices.Keys)}.");
        var dataset = Required("dataset");
        if (!matrix.Datasets.Contains(dataset))
            throw YamlFile.Error(path, Child(m, "dataset")!, $"{where}.dataset: '{dataset}' is not a data set of matrix '{matrixName}' ({string.Join(", ", matrix.Datasets)}).");
        var kernel = Required("kernel");
        var labels = matrix.Kernels.Select(KernelProfile.Label).ToList();
        if (!labels.Contains(kernel))
            throw YamlFile.Error(path, Child(m, "kernel")!, $"{where}.kernel: matrix '{matrixName}' has no kernel '{kernel}'; its kernels: {string.Join(", ", labels)}.");
        int n = Int(path, m, "n", where, 2, 1_000_000) ?? throw YamlFile.Error(path, m, $"{where}: missing required key 'n' (points per seed).");
        var seeds = Child(m, "seeds") != null ? IntList(path, m, "seeds", where, 0, int.MaxValue) : new[] { 0 };
        var scorers = List(path, m, "scorers", where, ScorerRegistry.Parse);
        var truths = List(path, m, "ground_truths", where, Harness.Study.GroundTruthRegistry.Parse);
        var ladder = Child(m, "ladder") != null ? IntList(path, m, "ladder", where, 0, 1_000_000) : StudySpec.DefaultLadder;
        if (!ladder.SequenceEqual(ladder.Order())) throw YamlFile.Error(path, Child(m, "ladder")!, $"{where}.ladder must be increasing.");
        var topK = matrix.KernelNamed(kernel).TopK;
        if (Harness.Study.GroundTruthRegistry.NeedsPopulation(truths, scorers) && matrix.Population == null)
            throw YamlFile.Error(path, Child(m, "ground_truths") ?? m, $"{where}: {string.Join(", ", truths.Where(t => Harness.Study.GroundTruthRegistry.Get(t).ReadsPopulation).Concat(scorers.Where(s => Scoring.Scorers.ScorerRegistry.Get(s).Reads.HasFlag(Scoring.Scorers.Quantities.Population))))} need the reference models of matrix '{matrixName}'; give it a `population: {{ models: 16 }}`.");
        double probeLr = StudySpec.DefaultProbeLearningRate; int probeSteps = StudySpec.DefaultProbeMaxSteps;
        if (Child(m, "probe") is { } pn)
        {
            var p = Map(path, pn, $"{where}.probe");
            YamlFile.RejectUnknownKeys(path, p, ProbeKeys, $"{where}.probe");
            probeLr = Dbl(path, p, "lr", $"{where}.probe", 0, 100, exclusiveMin: true) ?? probeLr;
            probeSteps = Int(path, p, "max_steps", $"{where}.probe", 1, 1_000_000) ?? probeSteps;
        }
        var tolerances = Tolerances(path, m, where, StudySpec.DefaultTolerances.Keys);
        var spec = new StudySpec
        {
            Name = name, Description = Parsed(path, m, "description", where, d => d) ?? "", Matrix = matrixName, Dataset = dataset, Kernel = kernel,
            Candidates = Enum<Candidates>(path, m, "candidates", where) ?? Candidates.Correct, Sample = Enum<StudySample>(path, m, "sample", where) ?? StudySample.Uniform, N = n, Seeds = seeds, Scorers = scorers, GroundTruths = truths,
            UliraModels = Int(path, m, "ulira_models", where, 2, 10_000) ?? StudySpec.DefaultUliraModels, ProbeLearningRate = probeLr, ProbeMaxSteps = probeSteps,
            Ladder = ladder, CollateralTestSample = Int(path, m, "collateral_test_sample", where, 0, int.MaxValue) ?? 0,
            Bootstrap = Int(path, m, "bootstrap", where, StudySpec.DefaultBootstrap, 1_000_000) ?? StudySpec.DefaultBootstrap, Workers = Int(path, m, "workers", where, 1, 64) ?? 1, Tolerances = tolerances,
        };
        if (spec.Sample == StudySample.Strata && matrix.Population == null)
            throw YamlFile.Error(path, Child(m, "sample")!, $"{where}.sample: strata are drawn from the memorization of matrix '{matrixName}''s population; give it a `population: {{ models: 16 }}`.");
        int neighbors = Harness.Study.GroundTruthRegistry.Probes(truths).Select(p => p.NeighborsRead(spec.Probes)).DefaultIfEmpty(0).Max();
        if (neighbors > topK)
            throw YamlFile.Error(path, Child(m, "ladder") ?? m, $"{where}.ladder reaches k = {neighbors}, but matrix '{matrixName}' keeps top-{topK} neighbours (its largest expansion); shorten the ladder.");
        return spec;
    }

    static MatrixSpec ReadMatrix(string path, string name, YamlNode node, DatasetRegistry registry)
    {
        var m = node as YamlMappingNode ?? throw YamlFile.Error(path, node, $"matrix '{name}' must be a mapping.");
        YamlFile.RejectUnknownKeys(path, m, MatrixKeys, $"matrix '{name}'");
        string where = $"matrices.{name}";
        var datasets = List(path, m, "datasets", where, registry.Parse);
        var scorers = List(path, m, "scorers", where, ScorerRegistry.Parse);
        var sides = List(path, m, "sides", where, Choice.Parse<Experiments.Side>);
        var unlearners = List(path, m, "unlearners", where, UnlearnerRegistry.Parse);
        var expansions = IntList(path, m, "expansions", where, 0, 1_000_000);
        var seeds = IntList(path, m, "seeds", where, 0, int.MaxValue);
        int points = Int(path, m, "points", where, 1, 100_000) ?? throw YamlFile.Error(path, m, $"{where}: missing required key 'points' (points per side).");
        var training = new TrainingOverrides();
        if (Child(m, "training") is { } tn)
        {
            training = SettingsSchema.With(training, Settings(path, Map(path, tn, $"{where}.training"), typeof(TrainingOverrides), $"{where}.training"));
        }
        var scoring = new ScoringOptions { TopK = expansions.Max() };
        if (Child(m, "scoring") is { } sn)
        {
            var s = Map(path, sn, $"{where}.scoring");
            string sw = $"{where}.scoring";
            scoring = SettingsSchema.With(scoring, Settings(path, s, typeof(ScoringOptions), sw));
            if (scoring.TopK < expansions.Max())
                throw YamlFile.Error(path, s, $"{sw}.top_k = {scoring.TopK} is smaller than the largest expansion {expansions.Max()}.");
        }
        // The kernel axis: each entry is the scoring options above with some keys replaced; named by its content.
        var kernels = new List<ScoringOptions>();
        if (Child(m, "kernels") is { } kn)
        {
            var seq = kn as YamlSequenceNode ?? throw YamlFile.Error(path, kn, $"{where}.kernels must be a list of scoring settings, e.g. [{{ space: input }}, {{ space: joint, bandwidth: dimension }}].");
            if (seq.Children.Count == 0) throw YamlFile.Error(path, kn, $"{where}.kernels is empty; an axis needs at least one value.");
            for (int i = 0; i < seq.Children.Count; i++)
            {
                string kw = $"{where}.kernels[{i}]";
                var k = SettingsSchema.With(scoring, Settings(path, Map(path, seq.Children[i], kw), typeof(ScoringOptions), kw));
                if (k.TopK < expansions.Max())
                    throw YamlFile.Error(path, seq.Children[i], $"{kw}.top_k = {k.TopK} is smaller than the largest expansion {expansions.Max()}.");
                var label = KernelProfile.Label(k);
                if (kernels.Any(o => KernelProfile.Label(o) == label))
                    throw YamlFile.Error(path, seq.Children[i], $"{kw} is named '{label}' like an earlier entry; each kernel must differ in space, bandwidth, features, base kernel or score.");
                kernels.Add(k);
            }
        }
        else kernels.Add(scoring);
        var candidates = Enum<Candidates>(path, m, "candidates", where) ?? Candidates.All;
        int remainSample = 0;
        if (Child(m, "evaluation") is { } en)
        {
            var e = Map(path, en, $"{where}.evaluation");
            YamlFile.RejectUnknownKeys(path, e, EvaluationKeys, $"{where}.evaluation");
            remainSample = Int(path, e, "remain_sample", $"{where}.evaluation", 0, int.MaxValue) ?? 0;
        }
        int workers = Int(path, m, "workers", where, 1, 64) ?? 1;
        var unlearning = new Dictionary<string, IReadOnlyDictionary<string, object>>();
        if (Child(m, "unlearning") is { } un)
        {
            foreach (var (k, v) in Map(path, un, $"{where}.unlearning").Children)
            {
                var alg = Parse(path, k, $"{where}.unlearning", UnlearnerRegistry.Parse);
                string aw = $"{where}.unlearning.{alg}";
                unlearning[alg] = Settings(path, Map(path, v, aw), UnlearnerRegistry.Get(alg).SettingsType, aw);
            }
        }
        PopulationSpec? population = null;
        if (Child(m, "population") is { } pop)
        {
            var p = Map(path, pop, $"{where}.population");
            YamlFile.RejectUnknownKeys(path, p, PopulationKeys, $"{where}.population");
            int models = Int(path, p, "models", $"{where}.population", PopulationSpec.MinModels, 10_000)
                ?? throw YamlFile.Error(path, p, $"{where}.population: missing required key 'models' (M, an even number ≥ {PopulationSpec.MinModels}).");
            if (models % 2 != 0) throw YamlFile.Error(path, Child(p, "models")!, $"{where}.population.models = {models} must be even (the models come in complementary pairs).");
            population = new PopulationSpec(models, Int(path, p, "seed", $"{where}.population", 0, 1_000_000),
                Int(path, p, "held_out", $"{where}.population", 0, 1_000_000) ?? 0, Enum<Calibration>(path, p, "calibration", $"{where}.population") ?? Calibration.None);
        }
        var tolerances = Tolerances(path, m, where, MatrixSpec.DefaultTolerances.Keys);
        return new MatrixSpec
        {
            Name = name, Description = Parsed(path, m, "description", where, d => d) ?? "",
            Datasets = datasets, Scorers = scorers, Sides = sides, Points = points, Unlearners = unlearners,
            Expansions = expansions, Seeds = seeds, Training = training, Kernels = kernels.ToArray(), Candidates = candidates, RemainSample = remainSample, Workers = workers, Unlearning = unlearning, Tolerances = tolerances, Population = population,
        };
    }

    /// <summary>`tolerances: {column: {abs, rel}}` of a matrix or study, each column one of <paramref name="known"/>.</summary>
    static Dictionary<string, Tolerance> Tolerances(string path, YamlMappingNode m, string where, IEnumerable<string> known)
    {
        var tolerances = new Dictionary<string, Tolerance>();
        if (Child(m, "tolerances") is not { } toln) return tolerances;
        foreach (var (k, v) in Map(path, toln, $"{where}.tolerances").Children)
        {
            var col = ((YamlScalarNode)k).Value!;
            if (!known.Contains(col))
                throw YamlFile.Error(path, k, $"{where}.tolerances: unknown column '{col}'; known: {string.Join(", ", known)}.");
            var tm = Map(path, v, $"{where}.tolerances.{col}");
            YamlFile.RejectUnknownKeys(path, tm, ToleranceKeys, $"{where}.tolerances.{col}");
            tolerances[col] = new Tolerance(Dbl(path, tm, "abs", $"{where}.tolerances.{col}", 0, double.MaxValue) ?? 0,
                                            Dbl(path, tm, "rel", $"{where}.tolerances.{col}", 0, double.MaxValue) ?? 0);
        }
        return tolerances;
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

    static T[] List<T>(string path, YamlMappingNode m, string key, string where, Func<string, T> parse)
    {
        var list = new List<T>();
        foreach (var item in Seq(path, m, key, where))
        {
            var v = Parse(path, item, $"{where}.{key}", parse);
            if (list.Contains(v)) throw YamlFile.Error(path, item, $"{where}.{key}: '{Scalar(path, item, where)}' is listed twice.");
            list.Add(v);
        }
        return list.ToArray();
    }

    /// <summary>A scalar through the parser the command line uses too; its message gets the file, line and field.</summary>
    static T Parse<T>(string path, YamlNode node, string where, Func<string, T> parse)
    {
        var raw = Scalar(path, node, where);
        try { return parse(raw); }
        catch (HarnessException e) { throw YamlFile.Error(path, node, $"{where}: {e.Message}"); }
    }

    static T? Parsed<T>(string path, YamlMappingNode m, string key, string where, Func<string, T> parse) where T : class =>
        Child(m, key) is { } n ? Parse(path, n, $"{where}.{key}", parse) : null;

    static T? Enum<T>(string path, YamlMappingNode m, string key, string where) where T : struct, System.Enum =>
        Child(m, key) is { } n ? Parse(path, n, $"{where}.{key}", Choice.Parse<T>) : null;

    /// <summary>The keys of a mapping as settings of a settings record: unknown keys and bad values are errors with the line.</summary>
    static IReadOnlyDictionary<string, object> Settings(string path, YamlMappingNode m, Type settingsType, string where)
    {
        var fields = SettingsSchema.Fields(settingsType);
        YamlFile.RejectUnknownKeys(path, m, fields.Select(f => f.Key).ToList(), where);
        var values = new Dictionary<string, object>();
        foreach (var (k, v) in m.Children)
        {
            var field = fields.Single(f => f.Key == ((YamlScalarNode)k).Value);
            values[field.Key] = Parse(path, v, $"{where}.{field.Key}", field.Parse);
        }
        return values;
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

    static int ParseInt(string path, YamlNode node, string where, int min, int max) =>
        Parse(path, node, where, raw => Choice.ParseInt(raw, min, max));

    static int? Int(string path, YamlMappingNode m, string key, string where, int min, int max) =>
        Child(m, key) is { } n ? ParseInt(path, n, $"{where}.{key}", min, max) : null;

    static double? Dbl(string path, YamlMappingNode m, string key, string where, double min, double max, bool exclusiveMin = false) =>
        Child(m, key) is { } n ? Parse(path, n, $"{where}.{key}", raw => Choice.ParseDouble(raw, min, max, exclusiveMin)) : null;

}
