using Harness.Runs;
using System.Diagnostics;
using Harness.Data;
using Harness.Evaluation;
using Harness.Experiments;
using Harness.Jobs;
using Harness.Scoring;
using Harness.Scoring.Scorers;
using Harness.Study;
using Harness.Training;
using Harness.Unlearning;
using static TorchSharp.torch;

namespace Harness.Forget;

/// <summary>Options of `harness forget`.</summary>
public sealed record ForgetOptions
{
    public TrainOptions Train { get; init; } = new();
    public ScoringOptions Scoring { get; init; } = new();
    public required int[] Request { get; init; }
    /// <summary>Where the request came from (`--indices` or the file), for messages and the report.</summary>
    public string RequestSource { get; init; } = "--indices";
    public string Algorithm { get; init; } = "gradascent";
    public IReadOnlyDictionary<string, object> Settings { get; init; } = new Dictionary<string, object>();
    public int? Seed { get; init; }
    /// <summary>A fixed expansion k, or null for auto (the ladder).</summary>
    public int? Expansion { get; init; }
    public IReadOnlyList<int> Ladder { get; init; } = ExpansionLadder.Auto;
    /// <summary>The `harness score` folder to reuse (or to write, when it is missing or belongs to another model or kernel).</summary>
    public required string ScoresDir { get; init; }
    /// <summary>M, the reference models (the original's recipe on complementary halves; the matrix population's cached models are reused when they are the same).</summary>
    public int PopulationModels { get; init; } = DefaultPopulationModels;
    /// <summary>The one-sided p-value below which φ is unlike a model that never saw the record.</summary>
    public double Alpha { get; init; } = 0.01;
    public const int DefaultPopulationModels = 16;
    /// <summary>Seeded sample of training points the percentiles of grad_norm and heldout_kl are taken among (0 = all).</summary>
    public int ReferenceSample { get; init; } = 2000;
    /// <summary>D_r points the remaining-set accuracy is measured on (0 = all).</summary>
    public int RemainSample { get; init; }
    /// <summary>Top neighbours listed per point.</summary>
    public int ShowNeighbors { get; init; } = 5;
    public string? ResultsRoot { get; init; }
    /// <summary>The experiments file whose studies are looked up (none: no study lookup).</summary>
    public ExperimentsFile? Experiments { get; init; }
    public required string OutDir { get; init; }

    public IReadOnlyList<int> Rungs => Expansion is int k ? new[] { k } : Ladder;
    public UnlearnSettings ResolveSettings()
    {
        Train.Registry(); // the experiments file's data-set declarations (a declared data set's profile) are read before its defaults are
        var s = UnlearnerRegistry.Resolve(Algorithm, Train.Dataset, Settings);
        return Seed is int seed ? s with { Seed = seed } : s;
    }
}

/// <summary>One requested point on one rung of the ladder.</summary>
public sealed record RungPoint(int Index, long Predicted, double Confidence, string Verdict, double Phi = double.NaN, double UpperP = double.NaN, double Lira = double.NaN);

/// <summary>One rung: k, the forget set's size, whether it succeeded, the algorithm's own report, and each requested point after it.</summary>
public sealed record LadderRung(int K, int ForgetSetSize, bool Succeeded, double Seconds, Dictionary<string, object> Details, IReadOnlyList<RungPoint> Points);

/// <summary>A requested point before and after, against its never-saw-it target.</summary>
public sealed record PointOutcome(int Index, long Label, long PredictedBefore, double ConfidenceBefore, string VerdictBefore,
    long PredictedAfter, double ConfidenceAfter, bool MiaNonMember, string Verdict,
    double PhiBefore = double.NaN, double PhiAfter = double.NaN, double UpperPBefore = double.NaN, double UpperPAfter = double.NaN,
    double LiraBefore = double.NaN, double LiraAfter = double.NaN, bool MemberBefore = false, bool MemberAfter = false);

/// <summary>The whole request after unlearning.</summary>
public sealed record RequestOutcome(int K, int ForgetSetSize, bool Succeeded, string Verdict, double TestAccuracyBefore, double TestAccuracyAfter,
    double RemainAccuracyBefore, double RemainAccuracyAfter, string RemainEvaluation, double MiaEfficacy, MiaResult Mia, double Distance, string Line);

/// <summary>One finished rung as rungs/kK.json records it: the rung, its forget set, its model's SHA-256 (rungs/kK.pt) and the fingerprint of what made it.</summary>
public sealed record RungRecord(LadderRung Rung, int[] ForgetSet, string ModelSha256, Fingerprint Fingerprint, string GitCommit);

/// <summary>The saved unlearned model and what made it.</summary>
public sealed record UnlearnedCheckpoint(string Path, string Sha256, long Bytes, string Model, string OriginalCheckpointSha256, string OriginalCheckpointPath,
    int[] ForgetSet, string Algorithm, object Settings, int K, string Load);

/// <summary>request.json: the plan, every rung, the outcome, the exact configuration and its fingerprint.</summary>
public sealed record ForgetReport(
    string Dataset, string Model, int TrainCount, int[] Request, string RequestSource, string Algorithm, object Settings, string Expansion, IReadOnlyList<int> Ladder,
    double Alpha, int PopulationModels, string Population, string ScoresSource, ScoringOptions Scoring, IReadOnlyList<StudyUse> Studies,
    IReadOnlyList<PointPlan> Plan, IReadOnlyList<LadderRung> Rungs, IReadOnlyList<PointOutcome> Points, RequestOutcome Outcome, UnlearnedCheckpoint Unlearned,
    TrainingSettings OriginalTraining, string OriginalCheckpoint, string OriginalCheckpointSha256, Fingerprint Fingerprint, string GitCommit,
    Dictionary<string, double> Seconds, int Threads, string Machine, string TorchSharpVersion, string LibTorchVersion, string Command);

/// <summary>
/// `harness forget`: plans a deletion request (how hard each record is, what never-saw-it models predict), acts on it
/// (unlearning, the request expanded by its Stein neighbours along a ladder until every record reaches its target), and
/// verifies the result against the never-saw-it models. The original model is never modified; the outputs are written
/// only once everything has been computed, request.json last.
/// </summary>
public static class ForgetJob
{
    public const string RequestJson = ForgetFiles.RequestJsonName, RequestMd = ForgetFiles.RequestMdName, RequestPng = ForgetFiles.RequestPngName,
        UnlearnedPt = ForgetFiles.UnlearnedPtName, UnlearnedJson = ForgetFiles.UnlearnedJsonName;

    public static ForgetReport Run(ForgetOptions options, IEnumerable<string> args, IProgress? progress = null, Action<string>? log = null,
        Action<ForgetReport, ImageSet, string>? draw = null)
    {
        log ??= Console.Error.WriteLine;
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        double Lap() { double t = clock.Elapsed.TotalSeconds; clock.Restart(); return t; }

        // Everything the user can get wrong is checked before minutes of work.
        options.Scoring.Validate();
        var unlearner = UnlearnerRegistry.Get(options.Algorithm);
        var settings = options.ResolveSettings();
        settings.Validate(options.Algorithm);
        if (options.PopulationModels < Experiments.PopulationSpec.MinModels || options.PopulationModels % 2 != 0)
            throw new HarnessException($"--population {options.PopulationModels} must be an even number ≥ {Experiments.PopulationSpec.MinModels} (complementary pairs; the attack's threshold leaves each model out in turn).");
        if (!(options.Alpha > 0 && options.Alpha < 0.5)) throw new HarnessException($"--alpha {options.Alpha} must be in (0, 0.5).");
        foreach (int k in options.Rungs)
            if (k > options.Scoring.TopK) throw new HarnessException($"--expansion {k} needs {k} neighbours per point; the scoring keeps --top-k {options.Scoring.TopK}.");
        var trainSettings = options.Train.ResolveSettings();
        trainSettings.Validate();
        var data = options.Train.LoadData();
        int n = data.Train.Count;
        DeletionRequest.Check(options.Request, n, options.RequestSource); // before any training
        var trained = TrainedModel.GetOrTrain(data, options.Train.ResolvedModel, trainSettings, new CheckpointCache(options.Train.CacheRoot), progress, log);
        if (trained.CacheHit) log($"the original model: {trained.CheckpointPath} (cached)");
        string originalSha = FileSha(trained.CheckpointPath);
        seconds["train_or_load"] = Lap();

        // Plan: scores of every training point (a `harness score` run, reused when it is this model's and this kernel's).
        var (scores, neighborIndex, neighborValue, topK, scoresSource) = LoadOrScore(options, trained, data, progress, log);
        seconds["scores"] = Lap();
        var population = ForgetPopulation.GetOrTrain(data, trained, options.PopulationModels, new CheckpointCache(options.Train.CacheRoot), progress, log);
        seconds["population"] = Lap();

        var request = options.Request;
        var reference = ReferencePoints(n, options.ReferenceSample, request);
        var plan = Plan(options, trained, data, scores, neighborIndex, neighborValue, topK, population, reference, out var studies);
        population.Dispose();
        seconds["plan"] = Lap();

        // Act: the ladder. Each rung is a unit of resumable work: a rung whose record and model are current is reused.
        ReadOnlyMemory<int> Row(int i) => new(neighborIndex, i * topK, topK);
        var files = new ForgetFiles(options.OutDir);
        var inputs = Inputs(options, trained, data, settings, topK);
        (LadderRung Rung, nn.Module<Tensor, Tensor> Model, int[] Forget) Step(int k)
        {
            var unit = new WorkUnit<int>($"forget/k{k}", files.RungRecord(k), new FingerprintInputs(inputs).Add("forget.rung", $"{k}").Build(), k);
            if (ReusedRung(unit, files.RungModel(k), trained, data) is { } reused)
            {
                log($"k = {k}: reused {unit.ResultPath} ({Verdicts.Summary(reused.Rung.Points.Select(p => p.Verdict).ToList())})");
                return reused;
            }
            var computed = ComputeRung(k);
            Directory.CreateDirectory(Path.GetDirectoryName(unit.ResultPath)!);
            AtomicFile.Write(files.RungModel(k), tmp => computed.Model.save(tmp));
            SealedRecord.Write(unit.ResultPath, new RungRecord(computed.Rung, computed.Forget, FileSha(files.RungModel(k)), unit.Fingerprint, GitInfo.Commit));
            return computed;
        }
        (LadderRung Rung, nn.Module<Tensor, Tensor> Model, int[] Forget) ComputeRung(int k)
        {
            var forget = RemovalExpansion.ForgetSet(request, Row, k);
            var inForget = new HashSet<int>(forget);
            var remain = Enumerable.Range(0, n).Where(i => !inForget.Contains(i)).ToArray();
            log($"unlearning {request.Length} requested point(s) with k = {k} ({forget.Length} points) by {unlearner.Name}");
            var watch = Stopwatch.StartNew();
            var result = unlearner.Unlearn(new UnlearnContext(trained.Model, trained.ModelName, data.Train, forget, remain, settings, trained.Settings, trained.Device, progress));
            double s = watch.Elapsed.TotalSeconds;
            var after = Predict(result.Model, data.Train, request, trained.Device);
            var points = request.Select((i, r) => new RungPoint(i, after[r].Predicted, after[r].Confidence, Verdicts.Judge(after[r].Phi, plan[r].Target),
                after[r].Phi, plan[r].Target.UpperP(after[r].Phi), plan[r].Target.Lira(after[r].Phi))).ToList();
            bool ok = Verdicts.Reached(points.Select(p => p.Verdict));
            log($"k = {k}: {Verdicts.Summary(points.Select(p => p.Verdict).ToList())}{(ok ? "" : "; some points are still remembered")}");
            return (new LadderRung(k, forget.Length, ok, s, result.Details, points), result.Model, forget);
        }
        var (rungs, kept) = ExpansionLadder.Run(options.Rungs, Step, r => r.Rung.Succeeded, r => r.Model.Dispose());
        var (rung, model, forgetSet) = rungs[kept];
        seconds["act"] = Lap();

        // Verify: the kept model against the original on the test set and on D_r, the MIA on the requested points.
        var outcome = Verify(options, trained, data, model, rung, forgetSet, settings.Seed, plan, out var pointOutcomes);
        seconds["verify"] = Lap();

        var fingerprint = inputs.Build();
        var unlearnedPath = files.UnlearnedPt;
        var report = new ForgetReport(data.Name, trained.ModelName, n, request, options.RequestSource, unlearner.Name, settings,
            options.Expansion is int fixedK ? $"{fixedK}" : "auto", options.Rungs, options.Alpha, options.PopulationModels, population.Describe, scoresSource,
            options.Scoring, studies, plan, rungs.Select(r => r.Rung).ToList(), pointOutcomes, outcome,
            new UnlearnedCheckpoint(unlearnedPath, "", 0, trained.ModelName, trained.Checkpoint.Sha256, trained.CheckpointPath, forgetSet, unlearner.Name, settings, rung.K,
                $"a TorchSharp state dict of {trained.ModelName}: Harness.Models.ModelFactory.Create(\"{trained.ModelName}\", …).load(\"{UnlearnedPt}\")"),
            trained.Settings, trained.CheckpointPath, trained.Checkpoint.Sha256, fingerprint, GitInfo.Commit, seconds, trained.Threads,
            Machine.Describe(), Versions.TorchSharp, Versions.LibTorch, "harness " + string.Join(" ", args));

        // Outputs: the old ones go first, so a failure now leaves no result that looks complete; request.json is written last.
        Directory.CreateDirectory(options.OutDir);
        foreach (var f in files.All) File.Delete(f);
        AtomicFile.Write(unlearnedPath, tmp => model.save(tmp));
        var bytes = File.ReadAllBytes(unlearnedPath);
        report = report with { Unlearned = report.Unlearned with { Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), Bytes = bytes.LongLength } };
        AtomicFile.WriteAllText(files.UnlearnedJson, Json.Serialize(report.Unlearned with { Path = UnlearnedPt }));
        model.Dispose();
        AtomicFile.WriteAllText(files.RequestMd, RequestReport.Markdown(report));
        draw?.Invoke(report, data.Train, files.RequestPng);
        seconds["write"] = Lap();
        AtomicFile.WriteAllText(files.RequestJson, Json.Serialize(report));

        if (FileSha(trained.CheckpointPath) != originalSha)
            throw new InvalidOperationException($"the original checkpoint {trained.CheckpointPath} changed during `harness forget`: it must never be written.");
        trained.Model.Dispose();
        return report;
    }


    /// <summary>A finished rung of this request, when its record is current and intact and its model is the one it recorded; else null (it is computed again).</summary>
    static (LadderRung Rung, nn.Module<Tensor, Tensor> Model, int[] Forget)? ReusedRung(WorkUnit<int> unit, string modelPath, TrainedModel trained, DataSplits data)
    {
        if (!WorkRunner.IsCurrent(unit) || !File.Exists(modelPath)) return null;
        var record = Json.Deserialize<RungRecord>(File.ReadAllText(unit.ResultPath));
        if (FileSha(modelPath) != record.ModelSha256) return null;
        return (record.Rung, Models.ModelCopy.Load(trained.ModelName, data.Train, modelPath, trained.Device), record.ForgetSet);
    }

    static string FileSha(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>
    /// The scoring run of this model and kernel: read from the scores folder when it belongs to them; else computed and
    /// written there, unless the folder holds a run of another checkpoint or kernel, which is left alone (the run goes to
    /// --out's scores/ instead, reused the same way next time). A stale run of this checkpoint and kernel is replaced.
    /// </summary>
    static (PointScores Scores, int[] NeighborIndex, float[] NeighborValue, int K, string Source) LoadOrScore(ForgetOptions options, TrainedModel trained, DataSplits data,
        IProgress? progress, Action<string> log)
    {
        string own = new ForgetFiles(options.OutDir).OwnScores.Dir;
        var why = new List<string>();
        foreach (var dir in new[] { options.ScoresDir, own }.Distinct())
        {
            if (Reusable(dir, options, trained, data.Train.Count, out var reason) is { } found)
            {
                log($"scores and neighbours from {dir} (this checkpoint, this kernel)");
                return found;
            }
            why.Add($"{dir}: {reason}");
        }
        string target = HoldsAnotherRun(options.ScoresDir, trained, options.Scoring) ? own : options.ScoresDir;
        log($"scoring every training point into {target} ({string.Join("; ", why)}).");
        var (s, stats, _) = ScoreJob.Run(new ScoreOptions { Train = options.Train, Scoring = options.Scoring, OutDir = target }, trained, data, progress, log);
        return (s, stats.NeighborIndex, stats.NeighborValue, stats.K, $"{target} (computed by this run)");
    }

    /// <summary>Whether dir holds a scoring run of another checkpoint or another kernel (a stale run of this one may be replaced).</summary>
    static bool HoldsAnotherRun(string dir, TrainedModel trained, ScoringOptions scoring)
    {
        var path = new ScoringRunFiles(dir).Meta;
        if (!File.Exists(path)) return false;
        try
        {
            var meta = Json.Deserialize<ScoreMeta>(File.ReadAllText(path));
            return meta.CheckpointSha256 != trained.Checkpoint.Sha256 || meta.Options.KappaDifferences(scoring).Count > 0;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { return true; } // unreadable: not ours to replace
    }

    static (PointScores, int[], float[], int, string)? Reusable(string dir, ForgetOptions options, TrainedModel trained, int n, out string why)
    {
        var files = new ScoringRunFiles(dir);
        why = ScoringRunCheck.Mismatch(files, trained.Checkpoint.Sha256, options.Scoring, n, ScoringRunUse.Neighbors, topK: options.Rungs.Max()) ?? "";
        if (why.Length > 0) return null;
        var meta = Json.Deserialize<ScoreMeta>(File.ReadAllText(files.Meta));
        if (!File.Exists(files.Scores) || !File.Exists(files.NeighborValues)) { why = "no complete scoring run"; return null; }
        var (_, ni) = Npy.Read<int>(files.NeighborIndices, n, meta.TopK);
        var (_, nv) = Npy.Read<float>(files.NeighborValues, n, meta.TopK);
        return (PointScores.ReadCsv(files.Scores), ni, nv, meta.TopK, dir);
    }

    /// <summary>The seeded reference sample (all points when sample is 0 or ≥ n), with the requested points added.</summary>
    static int[] ReferencePoints(int n, int sample, IReadOnlyList<int> request)
    {
        if (sample <= 0 || sample >= n) return Enumerable.Range(0, n).ToArray();
        var order = Enumerable.Range(0, n).ToArray();
        new Random(0).Shuffle(order);
        return order.Take(sample).Concat(request).Distinct().Order().ToArray();
    }

    static (long Predicted, double Confidence, double Phi)[] Predict(nn.Module<Tensor, Tensor> model, ImageSet train, IReadOnlyList<int> points, Device device)
    {
        var rows = HeldoutKl.LogSoftmax(model, train, points, device);
        var phi = Populations.PopulationModel.Measure(model, train.Subset(points.ToArray()), device).Phi;
        return rows.Select((r, k) => (Statistics.ArgMax(r), Math.Exp(r[train.Labels[points[k]]]), phi[k])).ToArray();
    }

    static List<PointPlan> Plan(ForgetOptions options, TrainedModel trained, DataSplits data, PointScores scores, int[] neighborIndex, float[] neighborValue, int topK,
        ForgetPopulation population, int[] reference, out List<StudyUse> studies)
    {
        var train = data.Train;
        var request = options.Request;
        int n = train.Count;
        var device = trained.Device;

        // The scorers the score run does not hold (the parameter gradient's, the population's, any scorer's own quantity)
        // on the reference sample and the request.
        var refPos = reference.Select((i, k) => (i, k)).ToDictionary(x => x.i, x => x.k);
        var logP0 = HeldoutKl.LogSoftmax(trained.Model, train, reference, device);
        var missing = ScorerRegistry.Scorers.Where(s => !scores.Has(s.Name)).ToList();
        var sources = new QuantitySources(trained.Model, train, reference, device, options.Scoring.Score, options.Scoring.ScoreBatch, options.Scoring.Ssn)
        {
            LearningEvents = trained.Checkpoint.LearningEvents, PopulationModels = population.Models, PopulationMembers = population.Population.Members,
        };
        var extra = PointScores.From(PointQuantities.Measure(sources, missing));
        string sampleNote = reference.Length == n ? $"all {n} training points" : $"a seeded sample of {options.ReferenceSample} training points (seed 0) and the request";
        string allNote = $"all {n} training points";

        var found = ForgetPlanning.Studies(options.Experiments, options.ResultsRoot ?? ResultsLayout.Repository.Root, data.Name, trained.ModelName, trained.Checkpoint.Sha256,
            options.Scoring, options.PopulationModels);
        studies = found.Select(f => f.Use).ToList();

        var plans = new List<PointPlan>();
        for (int r = 0; r < request.Length; r++)
        {
            int i = request[r];
            var readings = new List<ScorerReading>();
            void Read(IScorer scorer, double value, double[] reference, string among) => readings.Add(new ScorerReading(scorer.Name, scorer.Display,
                scorer.HardEnd.ToString().ToLowerInvariant(), value, ForgetPlanning.HardnessPercentile(scorer, value, reference), among));
            foreach (var scorer in ScorerRegistry.Scorers)
            {
                if (scores.Has(scorer.Name)) Read(scorer, scores.Values(scorer)[i], scores.Values(scorer), allNote);
                else if (extra.Has(scorer.Name)) Read(scorer, extra.Values(scorer)[refPos[i]], extra.Values(scorer), sampleNote);
            }
            var neighbors = Enumerable.Range(0, Math.Min(options.ShowNeighbors, topK))
                .Select(t => (t, j: neighborIndex[(long)i * topK + t], v: neighborValue[(long)i * topK + t])).Where(x => x.j >= 0)
                .Select(x => new NeighborEntry(x.t + 1, x.j, train.Labels[x.j], x.v)).ToList();
            var target = RetrainTarget.From(population.Population, i, options.Alpha, population.Threshold);
            var lookups = new List<StudyLookup>();
            foreach (var (spec, use, header, rows) in found.Where(f => f.Use.Used))
                foreach (var name in use.Scorers)
                    if (readings.FirstOrDefault(x => x.Scorer == name) is { } reading && ForgetPlanning.Lookup(spec.Name, ScorerRegistry.Get(name), reading.Value, header, rows) is { } l)
                        lookups.Add(l);
            plans.Add(new PointPlan(i, train.Labels[i], scores.Predicted[i], Math.Exp(logP0[refPos[i]][train.Labels[i]]), readings, neighbors, target, lookups,
                population.OriginalPhi[i]));
        }
        return plans;
    }


    static RequestOutcome Verify(ForgetOptions options, TrainedModel trained, DataSplits data, nn.Module<Tensor, Tensor> model, LadderRung rung, int[] forgetSet, int seed,
        List<PointPlan> plan, out List<PointOutcome> points)
    {
        var device = trained.Device;
        var inForget = new HashSet<int>(forgetSet);
        var remain = Enumerable.Range(0, data.Train.Count).Where(i => !inForget.Contains(i)).ToArray();
        var order = MiaEfficacy.ShadowOrder(remain.Length, seed);
        int shadow = Math.Min(data.Test.Count, remain.Length);
        int remainCount = options.RemainSample > 0 ? Math.Min(options.RemainSample, remain.Length) : remain.Length;
        var evaluated = data.Train.Subset(order[..Math.Max(shadow, remainCount)].Select(i => remain[i]).ToArray());
        var afterRemain = Evaluator.PerPoint(model, evaluated, device);
        var afterTest = Evaluator.PerPoint(model, data.Test, device);
        var beforeRemain = Evaluator.PerPoint(trained.Model, evaluated, device);
        var beforeTest = Evaluator.PerPoint(trained.Model, data.Test, device);
        // the requested points' p(y|x) under the kept model were measured on its rung
        var mia = MiaEfficacy.FromConfidences(afterRemain.Confidence[..shadow], afterTest.Confidence, rung.Points.Select(p => p.Confidence).ToArray());
        var (_, distance) = ParameterDistance.Measure(model, trained.Model);
        points = plan.Select((p, r) => new PointOutcome(p.Index, p.Label, p.Predicted, p.Confidence, Verdicts.Judge(p.Phi, p.Target),
            rung.Points[r].Predicted, rung.Points[r].Confidence, mia.ForgetPredictedNonMember[r], rung.Points[r].Verdict,
            p.Phi, rung.Points[r].Phi, p.Target.UpperP(p.Phi), rung.Points[r].UpperP, p.Target.Lira(p.Phi), rung.Points[r].Lira,
            p.Target.Member(p.Phi), p.Target.Member(rung.Points[r].Phi))).ToList();
        var verdicts = points.Select(p => p.Verdict).ToList();
        string remainEvaluation = remainCount == remain.Length ? "all of D_r" : $"a seeded sample of {remainCount} points of D_r (seed {seed})";
        double testBefore = beforeTest.Summary().Accuracy, testAfter = afterTest.Summary().Accuracy;
        double remainBefore = beforeRemain.Summary(remainCount).Accuracy, remainAfter = afterRemain.Summary(remainCount).Accuracy;
        string overall = rung.Succeeded ? (verdicts.All(v => v == Verdicts.MatchesRetrain) ? "honoured: every point matches retraining" : "forgotten, with overshoot")
            : "not honoured: some points are still remembered at the largest k tried";
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string line = string.Create(inv, $"{overall} ({Verdicts.Summary(verdicts)}) at k = {rung.K} ({forgetSet.Length} points unlearned); test accuracy {testBefore:P2} → {testAfter:P2}, ") +
            string.Create(inv, $"remaining-set accuracy {remainBefore:P2} → {remainAfter:P2}; LiRA calls {points.Count(p => p.MemberBefore)} of {points.Count} requested points members before and {points.Count(p => p.MemberAfter)} after; ") +
            string.Create(inv, $"the population-confidence MIA calls {points.Count(p => p.MiaNonMember)} of {points.Count} non-members.");
        return new RequestOutcome(rung.K, forgetSet.Length, rung.Succeeded, overall, testBefore, testAfter, remainBefore, remainAfter, remainEvaluation, mia.Efficacy, mia, distance, line);
    }

    static FingerprintInputs Inputs(ForgetOptions o, TrainedModel trained, DataSplits data, UnlearnSettings settings, int topK) =>
        TrainJob.Inputs(data, trained).Code("training", "scoring", "unlearning", "study", "population")
            .Add("forget.request", string.Join(" ", o.Request)).Add("forget.expansion", o.Expansion is int k ? $"{k}" : "auto " + string.Join(" ", o.Ladder))
            .Add("forget.alpha", SettingField.Format(o.Alpha)).Add("forget.population", $"{o.PopulationModels}")
            .Add("forget.reference_sample", $"{o.ReferenceSample}").Add("evaluation.remain_sample", $"{o.RemainSample}").Add("scoring.top_k_kept", $"{topK}")
            .AddRange(ScoringRunCheck.Settings(o.Scoring))
            .Settings("unlearning." + o.Algorithm, settings);
}
