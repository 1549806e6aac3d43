using System.Globalization;
using System.Text;
using Harness.Data;
using Harness.Populations;
using Harness.Runs;
using Harness.Training;

namespace Harness.Experiments;

/// <summary>One population model's result file: what made it and its φ table, checked on every reuse.</summary>
public sealed record PopulationModelRecord(Fingerprint Fingerprint, int Index, int Seed, int TrainCount, string CheckpointSha256, string Checkpoint,
    string Confidences, string ConfidencesSha256, long ConfidencesBytes, int Points, int TestPoints, double TestAccuracy, double TrainSeconds, bool CacheHit);

/// <summary>population.json: the population's fingerprint (every model's and the original's), the attack's strength and thresholds.</summary>
public sealed record PopulationSummary(Fingerprint Fingerprint, int Models, int HalvesSeed, int Points, int TestPoints, double MeanTestAccuracy,
    double GlobalSdIn, double GlobalSdOut, double Auc, Dictionary<string, double> TprAtFpr, Dictionary<string, double> Thresholds,
    long AttackMembers, long AttackNonMembers, string[] ModelSha256, double OriginalTestPhiMedian = double.NaN, double PopulationTestPhiMedian = double.NaN,
    double[]? RocFpr = null, double[]? RocTpr = null, GroupPower[]? Power = null, string Calibration = "none", double[]? CalibrationFrom = null, double[]? CalibrationTo = null,
    MemberCallCheck? HeldOutCheck = null)
{
    /// <summary>The calibration the member calls of full-data models use (none unless the matrix asks for it).</summary>
    public PhiCalibration MemberCalibration => Calibration != "none" && CalibrationFrom is { } f && CalibrationTo is { } t ? new PhiCalibration(f, t) : PhiCalibration.None;
}

/// <summary>A matrix's population of one data set and seed, ready for per-example evidence.</summary>
public sealed record PopulationShared(MembershipEvidence Evidence, PopulationSummary Summary, PopulationFiles Files);

/// <summary>
/// Trains a matrix's population (each model a unit of the <see cref="WorkRunner"/>: resumable, shardable, run in the
/// matrix's worker processes, each model cached in the checkpoint cache) and summarises it once, under a lock: the
/// per-point statistics (points.csv), LiRA's strength on the population (attack.csv, attack-github.md) and the summary
/// (population.json, sealed: the threshold the cells' evidence uses and the ROC curve the figures draw as roc.png).
/// </summary>
public sealed class PopulationRunner(MatrixSpec matrix, PopulationSpec spec, ResultsLayout layout, string? cacheRoot, Action<string> log)
{
    public const string Phase = "population";

    /// <summary>Starts worker process i of n for the population phase; null: train here.</summary>
    public Func<int, int, System.Diagnostics.Process>? StartWorker { get; init; }

    WorkRunner Runner => new(matrix.Name, layout, "population models", log) { StartWorker = StartWorker, Workers = matrix.Workers, Phase = Phase };

    public List<WorkUnit<int>> Units(string dataset, int seed, DataSplits data, TrainedModel original)
    {
        var files = layout.Population(matrix.Name, dataset, seed);
        var members = ComplementaryHalves.Membership(spec.Models, data.Train.Count, spec.HalvesSeed(seed));
        var recipe = PopulationModel.SettingsOf(original.Settings, 0) with { Seed = 0 };
        return Enumerable.Range(0, spec.Models).Select(m => new WorkUnit<int>($"{dataset}-s{seed}/m{m:D2}", files.Model(m),
            new FingerprintInputs()
                .Add("data.name", data.Name).Add("data.train_sha256", data.Train.Fingerprint()).Add("data.test_sha256", data.Test.Fingerprint())
                .Add("training.model", original.ModelName).Settings("training", recipe)
                .Add("population.models", $"{spec.Models}").Add("population.halves_seed", $"{spec.HalvesSeed(seed)}").Add("population.index", $"{m}")
                .Add("population.model_seed", $"{spec.ModelSeed(seed, m)}").Add("population.members", $"{members[m].Count(x => x)}")
                .Add("runtime.device", original.Device.type.ToString().ToLowerInvariant()).Add("runtime.cpu_isa", Numerics.CpuIsa.Describe())
                .Add("versions.torchsharp", Versions.TorchSharp).Add("versions.libtorch", Versions.LibTorch)
                .Code("training", "population").Build(), m)).ToList();
    }

    Action<WorkUnit<int>> Computer(string dataset, int seed, DataSplits data, TrainedModel original)
    {
        var files = layout.Population(matrix.Name, dataset, seed);
        var members = ComplementaryHalves.Membership(spec.Models, data.Train.Count, spec.HalvesSeed(seed));
        var cache = new CheckpointCache(cacheRoot);
        return unit =>
        {
            int m = unit.Item, modelSeed = spec.ModelSeed(seed, m);
            int threads = TorchSharp.torch.get_num_threads();
            try
            {
                var trained = PopulationModel.GetOrTrain(data, original.ModelName, original.Settings, members[m], modelSeed, cache, null, log);
                var train = PopulationModel.Measure(trained.Model, data.Train, trained.Device);
                var test = PopulationModel.Measure(trained.Model, data.Test, trained.Device);
                trained.Model.Dispose();
                var table = PhiTable.Of(train, test);
                int n = train.Count + test.Count;
                var path = files.Confidences(m);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                AtomicFile.Write(path, tmp => Npy.Write<double>(tmp, table, 2, n));
                var record = new PopulationModelRecord(unit.Fingerprint, m, modelSeed, members[m].Count(x => x), trained.Checkpoint.Sha256, trained.CheckpointPath,
                    Path.GetFileName(path), Fingerprint.FileHash(path), new FileInfo(path).Length, train.Count, test.Count,
                    test.Correct.Count(c => c) / (double)test.Count, trained.Checkpoint.TrainSeconds, trained.CacheHit);
                SealedRecord.Write(unit.ResultPath, record);
            }
            finally { Devices.PinThreads(threads); }
        };
    }

    /// <summary>A worker process of the population phase: trains the models no other worker has claimed.</summary>
    public int Work(string dataset, int seed, DataSplits data, TrainedModel original, int index, int count) =>
        Runner.Work(Units(dataset, seed, data, original), () => Computer(dataset, seed, data, original), index, count);

    /// <summary>The population of a data set and seed: its models trained (or reused) and its summary made (or reused).</summary>
    public PopulationShared GetOrRun(string dataset, int seed, DataSplits data, TrainedModel original, IProgress? progress)
    {
        var files = layout.Population(matrix.Name, dataset, seed);
        var units = Units(dataset, seed, data, original);
        foreach (var u in units) DropIfDamaged(files, u);
        var runner = Runner;
        var (_, pending) = runner.Plan(units);
        if (pending.Count > 0)
        {
            log($"{matrix.Name}: population of {dataset} (seed {seed}): training {pending.Count} of {spec.Models} models ({data.Train.Count - data.Train.Count / 2} or {data.Train.Count / 2} points each, one thread each)");
            if (runner.Workers > 1 && StartWorker != null) runner.Execute(pending, () => Computer(dataset, seed, data, original), $"{matrix.Name} population", progress);
            else runner.Cooperate(pending, () => Computer(dataset, seed, data, original)); // shards of an array job share the models
        }
        var records = units.Select(u => Json.Deserialize<PopulationModelRecord>(File.ReadAllText(u.ResultPath))).ToList();
        var inputs = new FingerprintInputs()
            .Add("population.models_sha256", Hash(string.Join(" ", records.Select(r => r.Fingerprint.Hash + ":" + r.ConfidencesSha256))))
            .Add("population.original_checkpoint_sha256", original.Checkpoint.Sha256).Add("population.member_fpr", AttackEvaluation.MemberFpr.ToString("R", CultureInfo.InvariantCulture))
            .Code("population");
        // Only where the matrix asks for them, so a summary made without them stays current.
        if (spec.Calibration != Calibration.None) inputs.Add("population.calibration", SettingField.Format(spec.Calibration));
        if (spec.HeldOut > 0) inputs.Add("population.held_out", $"{spec.HeldOut}").Add("population.held_out_seed", $"{spec.HeldOutSeed(seed)}").Code("training");
        var fingerprint = inputs.Build();
        return WorkRunner.Prerequisite(files.Lock, $"{matrix.Name} population summary of {dataset} (seed {seed})",
            reuse: () =>
            {
                if (SealedRecord.Problem(files.Summary) is { } damaged) { log($"{matrix.Name}: {damaged}; summarising the population again"); return null; }
                if (WorkRunner.RecordedFingerprint(files.Summary)?.Hash != fingerprint.Hash || !File.Exists(files.Points)) return null;
                var summary = Json.Deserialize<PopulationSummary>(File.ReadAllText(files.Summary));
                if (summary.RocFpr == null) return null; // summarised before it kept its ROC curve
                var population = Load(files, records, data, spec.HalvesSeed(seed));
                return new PopulationShared(new MembershipEvidence(population, summary.Thresholds[Key(AttackEvaluation.MemberFpr)], AttackEvaluation.MemberFpr,
                    summary.MemberCalibration), summary, files);
            },
            make: () => Summarise(files, records, data, original, spec.HalvesSeed(seed), fingerprint, HeldOut(data, original, seed, progress)), log);
    }

    /// <summary>
    /// A model whose φ table is missing, cut short or changed on disk loses its record, so the model is computed again
    /// (its checkpoint comes back from the cache, checked by its own SHA-256): a damaged table is never read.
    /// </summary>
    void DropIfDamaged(PopulationFiles files, WorkUnit<int> unit)
    {
        if (!File.Exists(unit.ResultPath)) return;
        string? problem = SealedRecord.Problem(unit.ResultPath);
        if (problem == null)
        {
            try
            {
                var r = Json.Deserialize<PopulationModelRecord>(File.ReadAllText(unit.ResultPath));
                problem = new FileRecord(r.ConfidencesSha256, r.ConfidencesBytes).Problem(files.Confidences(r.Index));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { problem = $"{unit.ResultPath} is unreadable"; }
        }
        if (problem == null) return;
        log($"{matrix.Name}: population model {unit.Item}: {problem}; computing it again");
        File.Delete(unit.ResultPath);
    }

    static string Hash(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    static string Key(double fpr) => fpr.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The models' φ tables, each checked against its record first.</summary>
    static Population Load(PopulationFiles files, IReadOnlyList<PopulationModelRecord> records, DataSplits data, int halvesSeed)
    {
        var train = new List<Confidences>();
        var test = new List<Confidences>();
        foreach (var r in records)
        {
            var path = files.Confidences(r.Index);
            if (!File.Exists(path) || Fingerprint.FileHash(path) != r.ConfidencesSha256)
                throw new HarnessException($"{path}: missing or not the file its record {files.Model(r.Index)} describes (SHA-256 {r.ConfidencesSha256[..16]}…); delete the record and run again to recompute the model's table.");
            int n = data.Train.Count, t = data.Test.Count;
            var (_, table) = Npy.Read<double>(path, 2, n + t);
            var (trainPhi, testPhi) = PhiTable.Split(table, n, t);
            train.Add(trainPhi);
            test.Add(testPhi);
        }
        return new Population(ComplementaryHalves.Membership(records.Count, data.Train.Count, halvesSeed), train, test);
    }

    /// <summary>
    /// The held-out check's model (the original's recipe on D_t without the seeded held-out set; from the checkpoint cache
    /// when trained before) and its φ on the held-out points; null where the matrix asks for none.
    /// </summary>
    Func<(int[] Index, double[] Phi)?> HeldOut(DataSplits data, TrainedModel original, int seed, IProgress? progress) => () =>
    {
        if (spec.HeldOut == 0) return null;
        var heldOut = MemberCallCheck.HeldOut(data.Train.Count, spec.HeldOut, spec.HeldOutSeed(seed));
        var kept = Enumerable.Range(0, data.Train.Count).Except(heldOut).ToArray();
        int threads = TorchSharp.torch.get_num_threads();
        log($"{matrix.Name}: the held-out check of {data.Name}: the original's recipe on D_t without {heldOut.Length} seeded points, whose member calls are false positives");
        var model = TrainedModel.GetOrTrain(data with { Train = data.Train.Subset(kept) },
            original.ModelName, original.Settings, new CheckpointCache(cacheRoot), progress, log);
        using (model.Model)
        {
            Devices.PinThreads(threads);
            return (heldOut, PopulationModel.Measure(model.Model, data.Train.Subset(heldOut), model.Device).Phi);
        }
    };

    PopulationShared Summarise(PopulationFiles files, IReadOnlyList<PopulationModelRecord> records, DataSplits data, TrainedModel original, int halvesSeed, Fingerprint fingerprint,
        Func<(int[] Index, double[] Phi)?> heldOut)
    {
        var held = heldOut();
        log($"{matrix.Name}: summarising the population of {data.Name} ({records.Count} models): per-point fits, LiRA on each model in turn");
        var population = Load(files, records, data, halvesSeed);
        var numbers = PopulationSummaryNumbers.Of(population, original.Model, data, original.Device, spec.Calibration == Calibration.TestQuantiles, held);
        var (evidence, strength) = (numbers.Evidence, numbers.Strength);
        var inv = CultureInfo.InvariantCulture;
        AtomicFile.WriteAllText(files.Points, numbers.PointsCsv);
        var summary = new PopulationSummary(fingerprint, records.Count, halvesSeed, data.Train.Count, data.Test.Count, population.TestAccuracy,
            population.GlobalSd.In, population.GlobalSd.Out, strength.Auc, strength.TprAtFpr.ToDictionary(kv => Key(kv.Key), kv => kv.Value),
            strength.Thresholds.ToDictionary(kv => Key(kv.Key), kv => kv.Value), strength.Members, strength.NonMembers, records.Select(r => r.ConfidencesSha256).ToArray(),
            numbers.OriginalTestPhiMedian, numbers.PopulationTestPhiMedian, numbers.Roc.Fpr, numbers.Roc.Tpr, numbers.Power,
            SettingField.Format(spec.Calibration), numbers.TestCalibration?.From, numbers.TestCalibration?.To, numbers.HeldOutCheck);
        AtomicFile.WriteAllText(files.Attack, AttackCsv(summary));
        AtomicFile.WriteAllText(files.AttackMarkdown, AttackMarkdown(summary, data.Name));
        SealedRecord.Write(files.Summary, summary); // last: its fingerprint says the rest is complete
        log(string.Create(inv, $"{matrix.Name}: LiRA on the population: AUC {strength.Auc:F4}, TPR {strength.TprAtFpr[0.001]:P2} at 0.1 % FPR, {strength.TprAtFpr[0.01]:P2} at 1 % FPR"));
        return new PopulationShared(evidence, summary, files);
    }

    static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The instruments on the canaries beside the other points (empty without canaries): what the evidence can detect at all.</summary>
    public static string PowerMarkdown(PopulationSummary s)
    {
        if (s.Power is not { } power) return "";
        var sb = new StringBuilder("| what these instruments detect | points | LiRA AUC | TPR at 0.1 % FPR | TPR at 1 % FPR | mean memorization | memorized (≥ 0.5) |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var g in power)
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"| {g.Group} | {g.Points:N0} | {g.Auc:F4} | {g.TprAt01Pct:P2} | {g.TprAt1Pct:P2} | {g.MeanMemorization:F3} | {g.MemorizedShare:P1} |\n"));
        sb.Append("\nCanaries are training points given a seeded wrong label before anything trained: a model fits them only by memorizing them. ")
          .Append("An instrument that does not separate them from the other points cannot judge forgetting on typical points.\n\n");
        return sb.ToString();
    }

    public static string AttackCsv(PopulationSummary s) => string.Create(CultureInfo.InvariantCulture,
        $"attack,models,members,non_members,auc,tpr_at_0.1pct_fpr,tpr_at_1pct_fpr,threshold_at_1pct_fpr\nlira-online-fixed-variance,{s.Models},{s.AttackMembers},{s.AttackNonMembers},{s.Auc:R},{s.TprAtFpr["0.001"]:R},{s.TprAtFpr["0.01"]:R},{s.Thresholds["0.01"]:R}\n");

    /// <summary>attack-github.md: the instruments' power on canaries (where the data has them), then the attack's strength.</summary>
    public static string AttackMarkdown(PopulationSummary s, string dataset) => PowerMarkdown(s) + StrengthMarkdown(s, dataset);

    /// <summary>LiRA's strength on the population, the confidence shift of the original, and the member call's held-out check.</summary>
    public static string StrengthMarkdown(PopulationSummary s, string dataset) => string.Create(CultureInfo.InvariantCulture, $"""
        | attack ({dataset}, {s.Models} models, each the target in turn) | AUC | TPR at 0.1 % FPR | TPR at 1 % FPR |
        |---|---|---|---|
        | LiRA, online, fixed variance | {s.Auc:F4} | {s.TprAtFpr["0.001"]:P2} | {s.TprAtFpr["0.01"]:P2} |
        | chance | 0.5000 | 0.10 % | 1.00 % |

        Members {s.AttackMembers:N0}, non-members {s.AttackNonMembers:N0} (every training point against every model, the target's
        own φ scored with the in/out fits of the other {s.Models - 1}); the population's models reach {s.MeanTestAccuracy:P2} test accuracy on average.
        Each trains on half the training set; the original on all of it, so it is more confident everywhere: the median φ on
        the test set (points no model saw) is {s.OriginalTestPhiMedian:F2} for the original and {s.PopulationTestPhiMedian:F2} over the population.
        Part of any gap between the original and a point's out distribution is that shift, not membership.

        """) + HeldOutMarkdown(s);

    /// <summary>The measured false-positive rate of the member call on a model trained like the original that never saw the held-out points (empty without the check).</summary>
    public static string HeldOutMarkdown(PopulationSummary s)
    {
        if (s.HeldOutCheck is not { } c) return "";
        var inv = CultureInfo.InvariantCulture;
        string Verdict(double lo, double hi) => lo <= c.Nominal && c.Nominal <= hi ? "the nominal rate is inside the interval" : "the nominal rate is outside the interval: the call is not calibrated";
        return string.Create(inv, $"The member call on models that never saw a point and were trained like the original: a model of the original's recipe on the training set without {c.Points:N0} seeded held-out points, at the threshold of {c.Nominal:P0} FPR. ") +
               string.Create(inv, $"As measured, LiRA calls {c.Called} of them members: FPR {c.Fpr:P2} (95 % interval {c.Low:P2} – {c.High:P2}; {Verdict(c.Low, c.High)}). ") +
               string.Create(inv, $"With φ mapped onto the population's scale by the two models' test-set quantiles: {c.CalledCalibrated}, FPR {c.FprCalibrated:P2} ({c.LowCalibrated:P2} – {c.HighCalibrated:P2}; {Verdict(c.LowCalibrated, c.HighCalibrated)}). ") +
               $"The cells' member calls use {(s.Calibration == "none" ? "φ as measured" : "the calibrated φ")} (`population.calibration: {s.Calibration}`).\n\n";
    }
}
