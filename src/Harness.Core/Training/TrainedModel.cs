using Harness.Runs;
using Harness.Numerics;
using System.Diagnostics;
using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>A trained model with how it came to be: from the cache or from a fresh training run.</summary>
public sealed record TrainedModel(
    nn.Module<Tensor, Tensor> Model, string ModelName, TrainingSettings Settings, Device Device,
    int Threads, CheckpointInfo Checkpoint, string CheckpointPath, bool CacheHit)
{
    /// <summary>
    /// Loads the model for (data, model, settings) from the checkpoint cache, or trains and stores it. The key covers the
    /// training data's content, the model, the whole settings record (every property, with the resolved thread count), the device, the TorchSharp version
    /// and the code version of the data loaders, models and trainer (CodeVersion.Training).
    /// </summary>
    public static TrainedModel GetOrTrain(DataSplits data, string modelName, TrainingSettings settings, CheckpointCache cache,
        IProgress? progress = null, Action<string>? log = null)
    {
        log ??= Console.Error.WriteLine;
        settings.Validate();
        var device = Devices.Resolve(settings.Device);
        int threads = Devices.PinThreads(settings.ResolvedThreads);
        var keyMaterial = Json.Serialize(new
        {
            Dataset = data.Name,
            TrainData = data.Train.Fingerprint(),
            Model = modelName,
            // the whole record, so a setting added to it keys the checkpoint without anyone listing it here
            Settings = settings with { Threads = threads },
            Threads = threads,
            Device = device.type.ToString().ToLowerInvariant(),
            TorchSharp = Versions.TorchSharp,
            Code = CodeVersion.Training,
            Isa = CpuIsa.Describe(),
        });
        string key = CheckpointCache.KeyOf(keyMaterial);
        var model = Trainer.Initialise(modelName, data.Train, settings, device);
        // One process trains a given model; others started together on the same cache wait for it and load it.
        using var guard = FileLock.Acquire(cache.CheckpointPath(key) + ".lock", $"model {key}", log);
        var cached = cache.TryLoad(key, model, log);
        if (cached != null)
        {
            model.eval();
            return new TrainedModel(model, modelName, settings, device, threads, cached, cache.CheckpointPath(key), true);
        }
        log($"training {modelName} on {data.Train.Count} {data.Name} images (checkpoint {key})");
        var watch = Stopwatch.StartNew();
        var events = new double[data.Train.Count];
        var losses = Trainer.Train(model, data.Train, settings, device, progress, events);
        var info = cache.Save(key, keyMaterial, model, losses, watch.Elapsed.TotalSeconds, threads, device.type.ToString().ToLowerInvariant(), events);
        return new TrainedModel(model, modelName, settings, device, threads, info, cache.CheckpointPath(key), false);
    }
}
