using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Harness.Config;

/// <summary>Small helpers that read YAML nodes and report mistakes as "file:line: field: problem".</summary>
public static class YamlFile
{
    public static YamlMappingNode? LoadRoot(string path)
    {
        if (!File.Exists(path)) throw new HarnessException($"{path}: file not found.");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new HarnessException($"{path}:{e.Start.Line}: malformed YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count == 0) return null;
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw Error(path, stream.Documents[0].RootNode, "the top level must be a mapping.");
    }

    public static HarnessException Error(string path, YamlNode node, string message) =>
        new($"{path}:{node.Start.Line}: {message}");

    public static void RejectUnknownKeys(string path, YamlMappingNode m, IReadOnlyCollection<string> allowed, string what)
    {
        foreach (var key in m.Children.Keys)
            if (key is not YamlScalarNode s || !allowed.Contains(s.Value))
                throw Error(path, key, $"unknown key '{(key as YamlScalarNode)?.Value}' in {what}; allowed: {string.Join(", ", allowed)}.");
    }

    public static string RequiredString(string path, YamlMappingNode m, string key)
    {
        if (!m.Children.TryGetValue(new YamlScalarNode(key), out var v))
            throw Error(path, m, $"missing required key '{key}'.");
        if (v is not YamlScalarNode s || string.IsNullOrWhiteSpace(s.Value))
            throw Error(path, v, $"'{key}' must be a non-empty string.");
        return s.Value!;
    }

    public static int OptionalInt(string path, YamlMappingNode m, string key, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!m.Children.TryGetValue(new YamlScalarNode(key), out var v)) return fallback;
        if (v is not YamlScalarNode s || !int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x))
            throw Error(path, v, $"'{key}' must be an integer.");
        if (x < min || x > max) throw Error(path, v, $"'{key}' = {x} is out of range [{min}, {max}].");
        return x;
    }
}
