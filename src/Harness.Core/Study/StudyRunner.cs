using Harness.Evaluation;
using Harness.Runs;
using System.Diagnostics;
using Harness.Data;
using Harness.Experiments;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Study;


/// <summary>What a study run did: points computed and reused, and the files it wrote (none when shards are still missing).</summary>
public sealed record StudyOutcome(int Points, int Computed, int Reused, int Missing, IReadOnlyList<string> Written, StudySummary? Summary);

/// <summary>
/// Runs a validation study (docs/method.md). The model, training settings and kernel scores are the study's matrix's (trained,
/// scored and cached once, shared with the matrix). Per point, the expensive ground truths are written atomically to
/// points/&lt;index&gt;.json with a fingerprint of everything that determines them; a point is reused only while its fingerprint is
/// current. Ground truths that compare with models that never saw a point read the matrix's population (trained once with
/// the matrix and cached). Then every scorer's value on the points, gt_memorization, and the statistics are computed and written.
/// </summary>
public sealed class StudyRunner
{
    readonly ExperimentsFile file;
    readonly StudySpec study;
    readonly MatrixSpec matrix;
    readonly Action<string> log;
    readonly MatrixRunner matrixRunner;
    readonly ResultsLayout layout;

    public StudyRunner(ExperimentsFile file, StudySpec study, string resultsRoot, string? dataRoot = null, string? cacheRoot = null, Action<string>? log = null)
    {
        this.file = file; this.study = study; ResultsRoot = resultsRoot; DataRoot = dataRoot; CacheRoot = cacheRoot;
        this.log = log ?? Console.Error.WriteLine;
        matrix = file.Matrix(study.Matrix);
        matrixRunner = new MatrixRunner(file, matrix, resultsRoot, dataRoot, cacheRoot, this.log);
        layout = new ResultsLayout(resultsRoot);
    }

    public string ResultsRoot { get; }
    public string? DataRoot { get; }
    public string? CacheRoot { get; }
    public StudyFiles Files => layout.Study(study.Name);
    int ModelSeed => matrix.Seeds[0];

    /// <summary>Starts worker process i of n; null when this host cannot start workers (points then run here).</summary>
    public Func<int, int, Process>? StartWorker { get; init; }

    sealed class Prepared
    {
        public required TrainedModel Trained { get; init; }
        public required DataSplits Data { get; init; }
        public required PointScores Scores { get; init; }
        public required int[] Neighbors { get; init; }
        public required int K { get; init; }
        public required FingerprintInputs Inputs { get; init; }
        /// <summary>Threads of one point's computation: the training threads divided among the study's workers.</summary>
        public required int PointThreads { get; init; }
        public required Dictionary<int, int[]> Populations { get; init; }
        /// <summary>The matrix's reference models (null where no ground truth or scorer needs them).</summary>
        public required Experiments.PopulationShared? Reference { get; init; }
        public required int[] Union { get; init; }
    }

    bool NeedsSteps => GroundTruthRegistry.Needs(study.GroundTruths, GroundTruthProbe.Steps);
    bool NeedsExpansion => GroundTruthRegistry.Needs(study.GroundTruths, GroundTruthProbe.Expansion);
    bool NeedsOracle => GroundTruthRegistry.Needs(study.GroundTruths, GroundTruthProbe.Oracle);
    bool NeedsUlira => GroundTruthRegistry.Needs(study.GroundTruths, GroundTruthProbe.Ulira);
    bool NeedsPopulation => GroundTruthRegistry.NeedsPopulation(study.GroundTruths, study.Scorers);

    Prepared Prepare()
    {
        var model = matrixRunner.Model(study.Dataset, ModelSeed, out var why) ?? throw new HarnessException($"study {study.Name} cannot run here: {why}");
        var (trained, data, trainInputs) = model;
        int pointThreads = study.Workers > 1 ? Math.Max(1, trained.Threads / study.Workers) : trained.Threads;
        var scored = matrixRunner.Scores(study.Dataset, ModelSeed, study.Kernel);
        var candidates = Enumerable.Range(0, scored.Scores.Count).Where(i => scored.Scores.IsCandidate(i, study.Candidates)).ToArray();
        if (candidates.Length < study.N)
            throw new HarnessException($"study {study.Name}: n = {study.N}, but only {candidates.Length} points are {SettingField.Format(study.Candidates)} candidates.");
        var populations = new Dictionary<int, int[]>();
        foreach (int seed in study.Seeds)
        {
            var order = (int[])candidates.Clone();
            new Random(seed).Shuffle(order);
            populations[seed] = order.Take(study.N).Order().ToArray();
        }
        var reference = NeedsPopulation ? matrixRunner.Population(study.Dataset, ModelSeed) : null;
        // The matrix's cell threads say nothing about a point: its own thread count replaces them.
        var inputs = trainInputs.Without("runtime.cell_threads").Code("study").Add("runtime.point_threads", $"{pointThreads}");
        // Each input once, whichever probes read it: the step probes share the SGD probe's settings, the ladder and U-LiRA GradAscent's.
        if (NeedsSteps || NeedsOracle)
            inputs.Add("study.probe.lr", SettingField.Format(study.ProbeLearningRate)).Add("study.probe.max_steps", $"{study.ProbeMaxSteps}");
        if (NeedsSteps)
            inputs.Add("study.collateral_test_sample", $"{study.CollateralTestSample}");
        if (NeedsExpansion || NeedsUlira)
            inputs.Settings("unlearning.gradascent", ExpansionSettings());
        if (NeedsExpansion)
            inputs.Add("study.ladder", string.Join(" ", study.Ladder)).Add("study.kernel", study.Kernel)
                .AddRange(scored.Inputs.Without("scoring.scores_sha256"));
        if (NeedsOracle || NeedsUlira)
            inputs.Add("study.population", reference!.Summary.Fingerprint.Hash); // code.population comes with the matrix's inputs
        if (NeedsUlira)
            inputs.Add("study.ulira_models", $"{study.UliraModels}");
        return new Prepared
        {
            Trained = trained, Data = data, Scores = scored.Scores, Neighbors = scored.Neighbors, K = scored.K, Inputs = inputs, PointThreads = pointThreads,
            Populations = populations, Union = populations.Values.SelectMany(p => p).Distinct().Order().ToArray(), Reference = reference,
        };
    }

    GradAscentSettings ExpansionSettings() => (GradAscentSettings)UnlearnerRegistry.Resolve("gradascent", study.Dataset, null);

    /// <summary>A point's unit of work: id STUDY/INDEX (its shard), result points/INDEX.json, and the fingerprint of what determines its ground truths.</summary>
    WorkUnit<int> Unit(Prepared p, int index) => new($"{study.Name}/{index}", layout.StudyPoint(study.Name, index),
        new FingerprintInputs(p.Inputs).Add("study.point", $"{index}").Add("study.ground_truths", string.Join(" ", study.GroundTruths.Where(g => GroundTruthRegistry.Get(g).Probe != GroundTruthProbe.Population))).Build(),
        index);

    WorkRunner Runner => new(study.Name, layout, "points", log) { StartWorker = StartWorker, Workers = study.Workers };

    static StudyPointResult Recorded(string path) => Json.Deserialize<StudyPointResult>(File.ReadAllText(path));

    /// <summary>
    /// What every point's computation shares: the collateral test set and θ₀'s accuracy on it, and the population's models
    /// where U-LiRA needs them. Creating it pins the point threads.
    /// </summary>
    sealed class PointContext(Tensor x, Tensor y, double before, IReadOnlyList<nn.Module<Tensor, Tensor>> models) : IDisposable
    {
        public Tensor X { get; } = x;
        public Tensor Y { get; } = y;
        public double Before { get; } = before;
        public IReadOnlyList<nn.Module<Tensor, Tensor>> Models { get; } = models;
        public void Dispose() { X.Dispose(); Y.Dispose(); foreach (var m in Models) m.Dispose(); }
    }

    PointContext StartPoints(Prepared p)
    {
        Devices.PinThreads(p.PointThreads);
        var set = CollateralTestSet.Of(p.Data, study.CollateralTestSample);
        var (x, y) = (set.ImagesTensor(p.Trained.Device), set.LabelsTensor(p.Trained.Device));
        var models = NeedsUlira ? PopulationModels(p) : new List<nn.Module<Tensor, Tensor>>();
        Devices.PinThreads(p.PointThreads);
        return new PointContext(x, y, Evaluator.Evaluate(p.Trained.Model, x, y).Accuracy, models);
    }

    /// <summary>The population's models, from the checkpoint cache (they were trained with the matrix).</summary>
    List<nn.Module<Tensor, Tensor>> PopulationModels(Prepared p)
    {
        var spec = matrix.Population!;
        var members = p.Reference!.Evidence.Population.Members;
        var cache = new CheckpointCache(CacheRoot);
        return Enumerable.Range(0, members.Length).Select(m => Populations.PopulationModel.GetOrTrain(p.Data, p.Trained.ModelName, p.Trained.Settings, members[m],
            spec.ModelSeed(ModelSeed, m), cache, null, _ => { }).Model).ToList();
    }

    StudyPointResult ComputePoint(Prepared p, WorkUnit<int> unit, PointContext c)
    {
        int index = unit.Item;
        var watch = Stopwatch.StartNew();
        var model = p.Trained.Model;
        StepsProbe? steps = NeedsSteps
            ? GroundTruths.Steps(model, p.Trained.ModelName, p.Data.Train, index, study.ProbeLearningRate, study.ProbeMaxSteps, c.X, c.Y, c.Before, p.Trained.Device)
            : null;
        ExpansionProbe? expansion = NeedsExpansion
            ? GroundTruths.Expansion(model, p.Trained.ModelName, p.Data.Train, index, p.Neighbors.AsMemory(index * p.K, p.K), study.Ladder, ExpansionSettings(), p.Trained.Settings, p.Trained.Device)
            : null;
        OracleProbe? oracle = null;
        UliraProbe? ulira = null;
        if (NeedsOracle || NeedsUlira)
        {
            var population = p.Reference!.Evidence.Population;
            if (NeedsOracle)
                oracle = GroundTruths.OracleSteps(model, p.Trained.ModelName, p.Data.Train, index, study.ProbeLearningRate, study.ProbeMaxSteps,
                    population, p.Trained.Device);
            if (NeedsUlira)
            {
                var inModels = Enumerable.Range(0, population.Models).Where(m => population.Members[m][index]).Take(study.UliraModels).Select(m => (m, c.Models[m])).ToList();
                var outPhi = Enumerable.Range(0, population.Models).Where(m => !population.Members[m][index]).Select(m => population.TrainPhi[m][index]).ToArray();
                ulira = GroundTruths.Ulira(inModels, p.Trained.ModelName, p.Data.Train, index, outPhi, ExpansionSettings(), p.Trained.Settings, p.Trained.Device);
            }
        }
        var result = new StudyPointResult(index, p.Data.Train.Labels[index], steps, expansion, watch.Elapsed.TotalSeconds, unit.Fingerprint, GitInfo.Commit, oracle, ulira);
        SealedRecord.Write(unit.ResultPath, result);
        return result;
    }

    /// <summary>
    /// Runs the study: the points of shard i/n (all without a shard) whose result is missing or stale, then, once every
    /// point of every seed has a current result, the scorers, gt_memorization, statistics, tables, figures.
    /// </summary>
    public StudyOutcome Run((int Index, int Count) shard, IProgress? progress = null, Func<StudySummary, IReadOnlyList<string>>? draw = null)
    {
        var p = Prepare();
        log($"study {study.Name}: {p.Union.Length} points ({study.N} per seed, seeds {string.Join(", ", study.Seeds)}) of {SettingField.Format(study.Candidates)} candidates, " +
            $"ground truths {string.Join(", ", study.GroundTruths)}; results in {Files.Dir}");
        var units = p.Union.Select(i => Unit(p, i)).ToList();
        var mine = WorkRunner.Shard(units, shard).ToList();
        var runner = Runner;
        var (current, pending) = runner.Plan(mine);
        PointContext? context = null;
        try { runner.Execute(pending, () => { context = StartPoints(p); return u => ComputePoint(p, u, context); }, $"study {study.Name}", progress); }
        finally { context?.Dispose(); }
        int missing = units.Count(u => !WorkRunner.IsCurrent(u));
        if (missing > 0)
        {
            log($"study {study.Name}: {missing} of {p.Union.Length} points have no current result yet (other shards); run them, then `harness study --study {study.Name}` to finish.");
            return new StudyOutcome(p.Union.Length, pending.Count, current.Count, missing, Array.Empty<string>(), null);
        }
        var summary = Aggregate(p, progress);
        var written = StudyTables.Write(summary, Files).ToList();
        if (draw != null) written.AddRange(draw(summary));
        return new StudyOutcome(p.Union.Length, pending.Count, current.Count, 0, written, summary);
    }

    /// <summary>
    /// Computes the given points afresh into <paramref name="dir"/> (their own results are neither read nor replaced), one
    /// at a time, each reported as it finishes: what an audit sets against the committed points.csv.
    /// </summary>
    public IEnumerable<StudyPointResult> Recompute(IReadOnlyList<int> indices, string dir)
    {
        var p = Prepare();
        foreach (int index in indices)
            if (Array.BinarySearch(p.Union, index) < 0) throw new HarnessException($"study {study.Name}: point {index} is not one of its {p.Union.Length} points.");
        using var context = StartPoints(p);
        foreach (int index in indices)
            yield return ComputePoint(p, Unit(p, index) with { ResultPath = Path.Combine(dir, $"{index}.json") }, context);
    }

    /// <summary>A point's ground truths that its own probes give (not the population's) and their censoring, by points.csv's column names.</summary>
    public Dictionary<string, double> ProbeTruths(StudyPointResult point)
    {
        var truths = study.GroundTruths.Where(g => GroundTruthRegistry.Get(g).Probe != GroundTruthProbe.Population)
            .ToDictionary(g => g, g => GroundTruthRegistry.Get(g).Values(new GroundTruthInputs(study.Probes, [point], null))[0]);
        if (point.Steps != null) truths["censored_steps"] = point.Steps.Censored ? 1 : 0;
        if (point.Expansion != null) truths["censored_expansion"] = point.Expansion.Censored ? 1 : 0;
        return truths;
    }

    /// <summary>A worker process: computes the pending points of the shard that no other worker has claimed, one at a time.</summary>
    public int RunWorker(int index, int count, (int Index, int Count) shard)
    {
        var p = Prepare();
        PointContext? context = null;
        try { return Runner.Work(WorkRunner.Shard(p.Union.Select(i => Unit(p, i)), shard), () => { context = StartPoints(p); return u => ComputePoint(p, u, context); }, index, count); }
        finally { context?.Dispose(); }
    }

    /// <summary>Every scorer's value and every ground truth on the points, then the statistics.</summary>
    StudySummary Aggregate(Prepared p, IProgress? progress)
    {
        Devices.PinThreads(p.Trained.Threads);
        var union = p.Union;
        var train = p.Data.Train;
        var device = p.Trained.Device;
        var scoring = matrix.KernelNamed(study.Kernel);
        // The model's own quantities on the points (one backward each for the parameter-gradient norm), the kernel pass's
        // row statistics from the matrix's scores, the learning events from the checkpoint, the held-out KL below.
        PointQuantities q;
        using (var stein = SteinScores.Compute(p.Trained.Model, train.Subset(union), device, scoring.Score, scoring.ScoreBatch, paramNorms: true))
        {
            var events = p.Trained.Checkpoint.LearningEvents;
            q = PointQuantities.FromStein(union.Select(i => train.Labels[i]).ToArray(), stein, scoring.Ssn, null) with
            {
                Index = union,
                Mksd = p.Scores.Has("mksd") ? union.Select(i => p.Scores.Values("mksd")[i]).ToArray() : null,
                LogMsksd = p.Scores.Has("msksd") ? union.Select(i => p.Scores.Values("msksd")[i]).ToArray() : null,
                LearningEvents = events is { } e && e.Length == train.Count ? union.Select(i => e[i]).ToArray() : null,
            };
        }
        double[]? memorization = null;
        if (NeedsPopulation)
        {
            var population = p.Reference!.Evidence.Population;
            memorization = union.Select(i => population.MemorizationOf(i).Value).ToArray();
            if (ScorerRegistry.AnyReads(study.Scorers, Quantities.Population))
            {
                var models = PopulationModels(p);
                Devices.PinThreads(p.Trained.Threads);
                q = q with { HeldoutKl = GroundTruths.HeldoutKl(GroundTruths.LogSoftmax(p.Trained.Model, train, union, device), models, population.Members, train, union, device) };
                foreach (var m in models) m.Dispose();
            }
        }
        var scores = PointScores.From(q);
        foreach (var s in study.Scorers)
            if (!scores.Has(s)) throw new HarnessException($"study {study.Name}: scorer {s} has no value here (its inputs are missing: {ScorerRegistry.Get(s).Summary}).");

        var position = union.Select((i, k) => (i, k)).ToDictionary(x => x.i, x => x.k);
        var results = union.Select(i => Recorded(layout.StudyPoint(study.Name, i))).ToArray();
        var inputs = new GroundTruthInputs(study.Probes, results, memorization);
        var truths = study.GroundTruths.ToDictionary(g => g, g => GroundTruthRegistry.Get(g).Values(inputs));
        var censoredSteps = NeedsSteps ? results.Select(r => r.Steps!.Censored).ToArray() : null;
        var censoredExpansion = NeedsExpansion ? results.Select(r => r.Expansion!.Censored).ToArray() : null;
        return StudySummary.Compute(study, union, union.Select(i => train.Labels[i]).ToArray(),
            study.Scorers.ToDictionary(s => s, s => scores.Values(s)), truths, censoredSteps, censoredExpansion,
            p.Populations.ToDictionary(kv => kv.Key, kv => kv.Value.Select(i => position[i]).ToArray()),
            results.Sum(r => r.Seconds), Provenance(p));
    }

    Dictionary<string, string> Provenance(Prepared p) => new()
    {
        ["matrix"] = study.Matrix, ["kernel"] = study.Kernel, ["checkpoint_sha256"] = p.Trained.Checkpoint.Sha256,
        ["model"] = p.Trained.ModelName, ["candidates"] = SettingField.Format(study.Candidates), ["code_study"] = CodeVersion.Study,
        ["gradascent"] = string.Join(", ", Fingerprint.Flatten("", ExpansionSettings()).Select(kv => $"{kv.Key.TrimStart('.')} {kv.Value}")),
        ["population"] = p.Reference == null ? "none" : $"{p.Reference.Summary.Models} models of matrix {study.Matrix} ({p.Reference.Files.Dir}), the original's recipe on complementary halves",
        ["ulira_models"] = $"{study.UliraModels} (at most the population's M/2)",
        ["probe"] = $"plain SGD lr {SettingField.Format(study.ProbeLearningRate)}, cap {study.ProbeMaxSteps} steps",
        ["collateral_test_sample"] = study.CollateralTestSample == 0 ? $"all {p.Data.Test.Count} test points" : $"{study.CollateralTestSample} seeded test points",
        ["machine"] = Machine.Describe(), ["git_commit"] = GitInfo.Commit,
    };
}
