namespace Harness.Data;

/// <summary>File formats a data set can be declared in.</summary>
public static class DataFormats
{
    public const string Idx = "idx";
    public const string CifarBinary = "cifar10-binary";
    public const string SvhnMat = "svhn-mat";
    public static readonly string[] All = { Idx, CifarBinary, SvhnMat };
}

/// <summary>
/// A data set by name: where its files are (relative to the data root unless absolute), in which format,
/// how many training images are held out for validation, and how a user obtains the files.
/// </summary>
public sealed record DatasetSpec(
    string Name,
    string Format,
    string Path,
    int ValidationSize,
    string HowToObtain,
    string[]? FallbackPaths = null,
    int SplitSeed = 0)
{
    /// <summary>The files this format expects inside the data set folder: (train files, test files).</summary>
    public (string[] Train, string[] Test) ExpectedFiles() => Format switch
    {
        DataFormats.Idx => (new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" },
                            new[] { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }),
        DataFormats.CifarBinary => (Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray(), new[] { "test_batch.bin" }),
        DataFormats.SvhnMat => (new[] { "train_32x32.mat" }, new[] { "test_32x32.mat" }),
        _ => throw new HarnessException($"data set '{Name}': unknown format '{Format}'; use one of {string.Join(", ", DataFormats.All)}."),
    };
}
