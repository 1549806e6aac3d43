using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Harness.Data;

/// <summary>
/// Reads the `datasets:` section of a YAML file: a list of {name, format, path, validation, split_seed} that lets
/// users bring their own data in a supported format. Every mistake names the file and line.
/// </summary>
public static class DatasetDeclarations
{
    static readonly string[] Keys = { "name", "format", "path", "validation", "split_seed" };

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
            int validation = YamlFile.OptionalInt(yamlPath, m, "validation", 0, min: 0);
            int seed = YamlFile.OptionalInt(yamlPath, m, "split_seed", 0, min: 0);
            if (!Path.IsPathRooted(path) && !path.StartsWith("data/", StringComparison.Ordinal))
                path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(yamlPath))!, path));
            list.Add(new DatasetSpec(name, format, path, validation, $"put the {format} files in {path} (declared in {yamlPath}).", SplitSeed: seed));
        }
        return list;
    }
}
