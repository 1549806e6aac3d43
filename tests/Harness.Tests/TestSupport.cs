using Harness.Data;
using Harness.Util;

namespace Harness.Tests;

static class TestSupport
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>A fresh folder under the system temp directory, removed by the caller's TearDown.</summary>
    public static string TempDir(string name)
    {
        var d = Path.Combine(Path.GetTempPath(), "harness-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(d);
        return d;
    }

    static DataSplits? mnist;

    /// <summary>Real MNIST from data/mnist (make data fetches it); loaded once per test run.</summary>
    public static DataSplits Mnist => mnist ??= DatasetLoader.Load(DatasetRegistry.Mnist);

    /// <summary>
    /// A small real cnn2 for tests that need a trained model: the first <paramref name="train"/> training and
    /// <paramref name="test"/> test images of MNIST, Table 4's recipe for <paramref name="epochs"/> epochs on 2 CPU threads,
    /// checkpointed in <paramref name="cache"/> (the caller removes it).
    /// </summary>
    public static (DataSplits Data, Training.TrainedModel Trained) SmallModel(string cache, int train, int test, int epochs, int seed)
    {
        var data = Mnist with { Train = Mnist.Train.Take(train), Test = Mnist.Test.Take(test) };
        var settings = Profiles.DatasetProfiles.Of("mnist").Training with { Epochs = epochs, Threads = 2, Device = Training.DeviceChoice.Cpu, Seed = seed };
        return (data, Training.TrainedModel.GetOrTrain(data, "cnn2", settings, new Runs.CheckpointCache(cache), log: _ => { }));
    }
}
