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
        /// <summary>What the probes share: θ₀, its data, the study's settings, the neighbours, the population.</summary>
        public required ProbeRun ProbeRun { get; init; }
        /// <summary>Each candidate's memorization stratum, where the study samples by strata.</summary>
        public Dictionary<int, string>? Strata { get; init; }
    }

    /// <summary>The probes the study's ground truths read, each once.</summary>
    IReadOnlyList<Probe> Probes => GroundTruthRegistry.Probes(study.GroundTruths);
    bool NeedsPopulation => GroundTruthRegistry.NeedsPopulation(study.GroundTruths, study.Scorers) || study.Sample == StudySample.Strata;

    Prepared Prepare()
    {
        var model = matrixRunner.Model(study.Dataset, ModelSeed, out var why) ?? throw new HarnessException($"study {study.Name} cannot run here: {why}");
        var (trained, data, trainInputs) = model;
        int pointThreads = study.Workers > 1 ? Math.Max(1, trained.Threads / study.Workers) : trained.Threads;
        var scored = matrixRunner.Scores(study.Dataset, ModelSeed, study.Kernel);
        var candidates = Enumerable.Range(0, scored.Scores.Count).Where(i => scored.Scores.IsCandidate(i, study.Candidates)).ToArray();
        if (candidates.Length < study.N)
            throw new HarnessException($"study {study.Name}: n = {study.N}, but only {candidates.Length} points are {SettingField.Format(study.Candidates)} candidates.");
        var reference = NeedsPopulation ? matrixRunner.Population(study.Dataset, ModelSeed) : null;
        var strata = study.Sample == StudySample.Strata ? StudySampling.Strata(candidates, reference!.Evidence.Population, data.Canaries) : null;
        var populations = study.Seeds.ToDictionary(seed => seed, seed => StudySampling.Draw(candidates, study.N, seed, strata));
        // The matrix's cell threads say nothing about a point: its own thread count replaces them.
        var inputs = trainInputs.Without("runtime.cell_threads").Code("study").Add("runtime.point_threads", $"{pointThreads}");
        var probeRun = new ProbeRun
        {
            Settings = study.Probes, Original = trained.Model, ModelName = trained.ModelName, Training = trained.Settings, Data = data, Device = trained.Device,
            Unlearner = name => UnlearnerRegistry.Resolve(name, study.Dataset, null),
            Neighbors = i => scored.Neighbors.AsMemory(i * scored.K, scored.K),
            NeighborInputs = new FingerprintInputs().Add("study.kernel", study.Kernel).AddRange(scored.Inputs.Without("scoring.scores_sha256")).ToList(),
            Population = reference?.Evidence.Population, PopulationFingerprint = reference?.Summary.Fingerprint.Hash, // code.population comes with the matrix's inputs
            PopulationModels = reference == null ? null : () => PopulationModels(data, trained, reference),
        };
        // Each input once, whichever probes read it (the step probes share the SGD probe's settings, the ladder and U-LiRA GradAscent's).
        var seen = new Dictionary<string, string>();
        foreach (var probe in Probes)
            foreach (var (key, value) in probe.Inputs(probeRun))
                if (seen.TryAdd(key, value)) inputs.Add(key, value);
                else if (seen[key] != value) throw new InvalidOperationException($"probes disagree on the fingerprint input {key}: {seen[key]} and {value}.");
        return new Prepared
        {
            Trained = trained, Data = data, Scores = scored.Scores, Neighbors = scored.Neighbors, K = scored.K, Inputs = inputs, PointThreads = pointThreads,
            Populations = populations, Union = populations.Values.SelectMany(p => p).Distinct().Order().ToArray(), Reference = reference, ProbeRun = probeRun, Strata = strata,
        };
    }

    /// <summary>A point's unit of work: id STUDY/INDEX (its shard), result points/INDEX.json, and the fingerprint of what determines its ground truths.</summary>
    WorkUnit<int> Unit(Prepared p, int index) => new($"{study.Name}/{index}", layout.StudyPoint(study.Name, index),
        new FingerprintInputs(p.Inputs).Add("study.point", $"{index}").Add("study.ground_truths", string.Join(" ", study.GroundTruths.Where(g => GroundTruthRegistry.Get(g).Probe != null))).Build(),
        index);

    WorkRunner Runner => new(study.Name, layout, "points", log) { StartWorker = StartWorker, Workers = study.Workers };

    static StudyPointResult Recorded(string path) => Json.Deserialize<StudyPointResult>(File.ReadAllText(path));

    /// <summary>Every probe started for the points (what they share: a test set on the device, the population's models); disposing it releases them.</summary>
    sealed class PointContext(IReadOnlyList<(string Name, PointProbe Probe)> probes) : IDisposable
    {
        public IReadOnlyList<(string Name, PointProbe Probe)> Probes { get; } = probes;
        public void Dispose() { foreach (var (_, probe) in Probes) probe.Dispose(); }
    }

    /// <summary>Starts every probe. Creating it pins the point threads (loading population models may change them).</summary>
    PointContext StartPoints(Prepared p)
    {
        Devices.PinThreads(p.PointThreads);
        var started = new List<(string, PointProbe)>();
        try { foreach (var probe in Probes) started.Add((probe.Name, probe.Start(p.ProbeRun))); }
        catch { foreach (var (_, s) in started) s.Dispose(); throw; }
        Devices.PinThreads(p.PointThreads);
        return new PointContext(started);
    }

    /// <summary>The population's models, from the checkpoint cache (they were trained with the matrix).</summary>
    IReadOnlyList<nn.Module<Tensor, Tensor>> PopulationModels(DataSplits data, TrainedModel trained, Experiments.PopulationShared reference)
    {
        var spec = matrix.Population!;
        var members = reference.Evidence.Population.Members;
        var cache = new CheckpointCache(CacheRoot);
        return Enumerable.Range(0, members.Length).Select(m => Populations.PopulationModel.GetOrTrain(data, trained.ModelName, trained.Settings, members[m],
            spec.ModelSeed(ModelSeed, m), cache, null, _ => { }).Model).ToList();
    }

    StudyPointResult ComputePoint(Prepared p, WorkUnit<int> unit, PointContext c)
    {
        int index = unit.Item;
        var watch = Stopwatch.StartNew();
        var results = c.Probes.Select(s => KeyValuePair.Create(s.Name, s.Probe.Measure(index))).ToList();
        var result = StudyPointResult.Of(index, p.Data.Train.Labels[index], watch.Elapsed.TotalSeconds, unit.Fingerprint, GitInfo.Commit, results);
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
        var inputs = new GroundTruthInputs(study.Probes, [point], null);
        var probed = study.GroundTruths.Select(GroundTruthRegistry.Get).Where(g => g.Probe != null).ToList();
        var truths = probed.ToDictionary(g => g.Name, g => g.Values(inputs)[0]);
        foreach (var g in probed)
            if (g.CensoredColumn is { } column && g.Censored(inputs) is { } censored) truths[column] = censored[0] ? 1 : 0;
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
        // The model's quantities on the points, the kernel pass's row statistics from the matrix's scores, the learning
        // events from the checkpoint, the population's models where a scorer reads them.
        var scorers = study.Scorers.Select(ScorerRegistry.Get).ToList();
        var sources = new QuantitySources(p.Trained.Model, train, union, device, scoring.Score, scoring.ScoreBatch, scoring.Ssn)
        {
            LearningEvents = p.Trained.Checkpoint.LearningEvents,
        }.WithKernelRows(p.Scores);
        double[]? memorization = null;
        IReadOnlyList<nn.Module<Tensor, Tensor>> models = [];
        if (NeedsPopulation)
        {
            var population = p.Reference!.Evidence.Population;
            memorization = union.Select(i => population.MemorizationOf(i).Value).ToArray();
            if (scorers.Any(s => s.Reads.HasFlag(Quantities.Population)))
            {
                models = PopulationModels(p.Data, p.Trained, p.Reference);
                Devices.PinThreads(p.Trained.Threads);
                sources = sources with { PopulationModels = models, PopulationMembers = population.Members };
            }
        }
        PointScores scores;
        try { scores = PointScores.From(PointQuantities.Measure(sources, scorers)); }
        finally { foreach (var m in models) m.Dispose(); }
        foreach (var s in study.Scorers)
            if (!scores.Has(s)) throw new HarnessException($"study {study.Name}: scorer {s} has no value here (its inputs are missing: {ScorerRegistry.Get(s).Summary}).");

        var position = union.Select((i, k) => (i, k)).ToDictionary(x => x.i, x => x.k);
        var results = union.Select(i => Recorded(layout.StudyPoint(study.Name, i))).ToArray();
        var inputs = new GroundTruthInputs(study.Probes, results, memorization);
        var truths = study.GroundTruths.ToDictionary(g => g, g => GroundTruthRegistry.Get(g).Values(inputs));
        var censored = new Dictionary<string, bool[]>();
        foreach (var g in study.GroundTruths.Select(GroundTruthRegistry.Get))
            if (g.CensoredColumn != null && g.Censored(inputs) is { } c) censored[g.Name] = c;
        return StudySummary.Compute(study, union, union.Select(i => train.Labels[i]).ToArray(),
            study.Scorers.ToDictionary(s => s, s => scores.Values(s)), truths, censored,
            p.Populations.ToDictionary(kv => kv.Key, kv => kv.Value.Select(i => position[i]).ToArray()),
            results.Sum(r => r.Seconds), Provenance(p)) with { Strata = p.Strata is { } st ? union.Select(i => st[i]).ToArray() : null };
    }

    Dictionary<string, string> Provenance(Prepared p) => new()
    {
        ["matrix"] = study.Matrix, ["kernel"] = study.Kernel, ["checkpoint_sha256"] = p.Trained.Checkpoint.Sha256,
        ["model"] = p.Trained.ModelName, ["candidates"] = SettingField.Format(study.Candidates), ["code_study"] = CodeVersion.Study,
        ["gradascent"] = string.Join(", ", Fingerprint.Flatten("", p.ProbeRun.Unlearner("gradascent")).Select(kv => $"{kv.Key.TrimStart('.')} {kv.Value}")),
        ["population"] = p.Reference == null ? "none" : $"{p.Reference.Summary.Models} models of matrix {study.Matrix} ({p.Reference.Files.Dir}), the original's recipe on complementary halves",
        ["ulira_models"] = $"{study.UliraModels} (at most the population's M/2)",
        ["probe"] = $"plain SGD lr {SettingField.Format(study.ProbeLearningRate)}, cap {study.ProbeMaxSteps} steps",
        ["collateral_test_sample"] = study.CollateralTestSample == 0 ? $"all {p.Data.Test.Count} test points" : $"{study.CollateralTestSample} seeded test points",
        ["machine"] = Machine.Describe(), ["git_commit"] = GitInfo.Commit,
    };
}
