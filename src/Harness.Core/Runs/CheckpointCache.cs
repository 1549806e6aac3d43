using System.Security.Cryptography;
using static TorchSharp.torch;

namespace Harness.Runs;

/// <summary>
/// What is stored beside a checkpoint: its key material, a hash of its bytes, and how training went. LearningEvents is the
/// mean p(y_i|x_i) of every training point over the training epochs (<see cref="Trainer.Train"/>), in training-set order.
/// </summary>
public sealed record CheckpointInfo(string Key, string KeyMaterial, string Sha256, long Bytes, double[] EpochLosses, double TrainSeconds, int Threads, string Device,
    double[]? LearningEvents = null);

/// <summary>
/// Trained models stored under a key derived from everything that determines them. The `.json` sidecar is written
/// last and holds the checkpoint's SHA-256, so a truncated or corrupt `.pt` is detected and never used.
/// </summary>
public sealed class CheckpointCache
{
    readonly CacheLayout layout;

    public CheckpointCache(string? root = null) => layout = new CacheLayout(root);

    public string Root => layout.Checkpoints;

    public static string KeyOf(string keyMaterial) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(keyMaterial)))[..24];

    public string CheckpointPath(string key) => layout.Checkpoint(key);
    string InfoPath(string key) => layout.CheckpointRecord(key);

    /// <summary>Loads the checkpoint into <paramref name="model"/> when present and intact; reports why not otherwise.</summary>
    public CheckpointInfo? TryLoad(string key, nn.Module<Tensor, Tensor> model, Action<string> warn)
    {
        string pt = CheckpointPath(key), info = InfoPath(key);
        if (!File.Exists(pt) && !File.Exists(info)) return null;
        if (File.Exists(info) && SealedRecord.Problem(info) is { } damaged)
        {
            warn($"corrupt checkpoint {pt}: {damaged}; retraining."); // its SHA-256 and the learning events could be wrong
            return null;
        }
        CheckpointInfo? meta;
        try { meta = Json.Deserialize<CheckpointInfo>(File.ReadAllText(info)); }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or NotSupportedException)
        {
            warn($"corrupt checkpoint {pt}: its record {info} is unreadable ({e.Message}); retraining.");
            return null;
        }
        if (!File.Exists(pt)) { warn($"corrupt checkpoint {pt}: file missing; retraining."); return null; }
        var bytes = File.ReadAllBytes(pt);
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (bytes.LongLength != meta.Bytes || sha != meta.Sha256)
        {
            warn($"corrupt checkpoint {pt}: {bytes.LongLength} bytes with SHA-256 {sha[..12]}…, expected {meta.Bytes} bytes with {meta.Sha256[..Math.Min(12, meta.Sha256.Length)]}…; retraining.");
            return null;
        }
        try { model.load(pt); }
        catch (Exception e)
        {
            warn($"corrupt checkpoint {pt}: torch could not load it ({e.Message}); retraining.");
            return null;
        }
        return meta;
    }

    public CheckpointInfo Save(string key, string keyMaterial, nn.Module<Tensor, Tensor> model, double[] epochLosses, double seconds, int threads, string device,
        double[]? learningEvents = null)
    {
        string pt = CheckpointPath(key);
        AtomicFile.Write(pt, tmp => model.save(tmp));
        var bytes = File.ReadAllBytes(pt);
        var meta = new CheckpointInfo(key, keyMaterial, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.LongLength, epochLosses, seconds, threads, device, learningEvents);
        SealedRecord.Write(InfoPath(key), meta); // sealed: the learning events in it feed a score
        return meta;
    }
}
