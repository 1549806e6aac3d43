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
}
