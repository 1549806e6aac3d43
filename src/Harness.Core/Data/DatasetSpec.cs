namespace Harness.Data;

/// <summary>
/// A file format a data set can be declared in: its name (`format:` in experiments.yaml), the files it expects in the data
/// set's folder (train, test; each may also be gzipped), and how it reads a list of them (given by full path) into images.
/// </summary>
public sealed record DataFormat(string Name, string[] TrainFiles, string[] TestFiles, Func<IReadOnlyList<string>, ImageSet> Read);

/// <summary>The formats a data set can be declared in. A new one is an entry here and its reader.</summary>
public static class DataFormats
{
    public const string Idx = "idx";
    public const string CifarBinary = "cifar10-binary";
    public const string SvhnMat = "svhn-mat";

    static readonly DataFormat[] Registered =
    {
        new(Idx, new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" }, new[] { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" },
            files => IdxReader.ReadPair(files[0], files[1])),
        new(CifarBinary, Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray(), new[] { "test_batch.bin" }, CifarBinaryReader.Read),
        new(SvhnMat, new[] { "train_32x32.mat" }, new[] { "test_32x32.mat" }, files => SvhnReader.Read(files[0])),
    };

    public static readonly string[] All = Registered.Select(f => f.Name).ToArray();

    /// <summary>The format of that name, or null.</summary>
    public static DataFormat? Find(string name) => Registered.FirstOrDefault(f => f.Name == name);
}

/// <summary>
/// A data set by name: where its files are (relative to the data root unless absolute), in which format,
/// how many training images are held out for validation, how a user obtains the files, and the registered data set whose
/// defaults (the paper's Table 4 training, its Table 5 unlearning column: <c>Profiles.DatasetProfiles</c>) it takes.
/// </summary>
public sealed record DatasetSpec(
    string Name,
    string Format,
    string Path,
    int ValidationSize,
    string HowToObtain,
    string[]? FallbackPaths = null,
    int SplitSeed = 0,
    string? Profile = null)
{
    /// <summary>The files this format expects inside the data set folder: (train files, test files).</summary>
    public (string[] Train, string[] Test) ExpectedFiles() => (FileFormat.TrainFiles, FileFormat.TestFiles);

    /// <summary>The format's definition.</summary>
    public DataFormat FileFormat => DataFormats.Find(Format)
        ?? throw new HarnessException($"data set '{Name}': unknown format '{Format}'; use one of {string.Join(", ", DataFormats.All)}.");
}
