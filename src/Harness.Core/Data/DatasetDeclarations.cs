using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Harness.Data;

/// <summary>
/// Reads the `datasets:` section of a YAML file: a list of {name, format, path, profile, validation, split_seed} that lets
/// users bring their own data in a supported format; `profile` names the registered data set whose Table 4/5 defaults it
/// takes (it is required: nothing falls back to MNIST's silently). Every mistake names the file and line.
/// </summary>
public static class DatasetDeclarations
{
    static readonly string[] Keys = { "name", "format", "path", "profile", "validation", "split_seed" };

    /// <summary>The data sets with a profile of their own (<c>Profiles.DatasetProfiles</c>), which a declaration may name.</summary>
    public static readonly string[] Profiles = { DatasetRegistry.Mnist.Name, DatasetRegistry.Cifar10.Name, DatasetRegistry.Svhn.Name };

    public static IReadOnlyList<DatasetSpec> Read(string yamlPath)
    {
        var root = YamlFile.LoadRoot(yamlPath);
        if (root == null || !root.Children.TryGetValue(new YamlScalarNode("datasets"), out var node)) return Array.Empty<DatasetSpec>();
        if (node is not YamlSequenceNode seq) throw YamlFile.Error(yamlPath, node, "`datasets` must be a list of {name, format, path}.");
        var list = new List<DatasetSpec>();
        foreach (var item in seq)
        {
            if (item is not YamlMappingNode m) throw YamlFile.Error(yamlPath, item, "each data set must be a mapping with name, format and path.");
            YamlFile.RejectUnknownKeys(yamlPath, m, Keys, "data set");
            string name = YamlFile.RequiredString(yamlPath, m, "name");
            string format = YamlFile.RequiredString(yamlPath, m, "format");
            if (!DataFormats.All.Contains(format))
                throw YamlFile.Error(yamlPath, m.Children[new YamlScalarNode("format")], $"unknown format '{format}'; use one of {string.Join(", ", DataFormats.All)}.");
            string path = YamlFile.RequiredString(yamlPath, m, "path");
            if (!m.Children.TryGetValue(new YamlScalarNode("profile"), out var profileNode))
                throw YamlFile.Error(yamlPath, m, $"data set '{name}': missing 'profile': name the data set whose defaults it takes (the paper's Table 4 model and training, its Table 5 unlearning column): one of {string.Join(", ", Profiles)}.");
            string profile = YamlFile.RequiredString(yamlPath, m, "profile");
            if (!Profiles.Contains(profile))
                throw YamlFile.Error(yamlPath, profileNode, $"data set '{name}': unknown profile '{profile}'; use one of {string.Join(", ", Profiles)}.");
            int validation = YamlFile.OptionalInt(yamlPath, m, "validation", 0, min: 0);
            int seed = YamlFile.OptionalInt(yamlPath, m, "split_seed", 0, min: 0);
            if (!Path.IsPathRooted(path) && !path.StartsWith("data/", StringComparison.Ordinal))
                path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(yamlPath))!, path));
            list.Add(new DatasetSpec(name, format, path, validation, $"put the {format} files in {path} (declared in {yamlPath}).", SplitSeed: seed, Profile: profile));
        }
        return list;
    }
}
