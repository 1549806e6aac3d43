using System.Reflection;
using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests;

/// <summary>
/// The library's shape, read from its compiled code: folders depend on each other one way (from Util, Config and
/// Numerics up to Pipelines and the CLI), and code outside every code version computes nothing with TorchSharp (a number
/// computed there would not go stale when that code changes; CodeVersionTests says which folders are versioned).
/// </summary>
public class ArchitectureTests
{
    static readonly Assembly Core = typeof(HarnessException).Assembly;
    static readonly Assembly Cli = typeof(Harness.Cli.Cli).Assembly;
    static readonly Assembly TorchSharpAssembly = typeof(TorchSharp.torch).Assembly;

    static Dictionary<Type, string>? folders;

    /// <summary>
    /// Each type's folder: its file's folder under src/Harness.Core ("." for the root), or "Cli" for the command line. A
    /// subfolder in its parent's code version is part of the parent (Scoring/Scorers is Scoring); one in another version
    /// is a folder of its own (Study/GroundTruths). Generated code (obj/) has none.
    /// </summary>
    static Dictionary<Type, string> Folders => folders ??= ILScan.SourceFiles(Core, "src/Harness.Core/")
        .Where(kv => !kv.Value.StartsWith("obj/", StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key, kv => Unit(Path.GetDirectoryName(kv.Value) is { Length: > 0 } d ? d.Replace('\\', '/') : "."))
        .Concat(ILScan.SourceFiles(Cli, "src/Harness.Cli/").Select(kv => KeyValuePair.Create(kv.Key, "Cli")))
        .ToDictionary(kv => kv.Key, kv => kv.Value);

    static string Unit(string folder)
    {
        var version = CodeVersionTests.ComputingFolder(folder + "/x.cs");
        for (var parent = Path.GetDirectoryName(folder)?.Replace('\\', '/'); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent)?.Replace('\\', '/'))
            if (CodeVersionTests.ComputingFolder(parent + "/x.cs") == version) folder = parent;
        return folder;
    }


    /// <summary>folder → folder it refers to → a few of the references (type.member uses Type).</summary>
    static SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> Graph()
    {
        var graph = new SortedDictionary<string, SortedDictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        foreach (var (type, from) in Folders)
        {
            if (!graph.TryGetValue(from, out var edges)) graph[from] = edges = new(StringComparer.Ordinal);
            foreach (var (used, where) in ILScan.ReferencedTypes(type))
            {
                if (!Folders.TryGetValue(used, out var to) || to == from) continue;
                if (!edges.TryGetValue(to, out var why)) edges[to] = why = new(StringComparer.Ordinal);
                why.Add($"{where} uses {used.Name}");
            }
        }
        return graph;
    }

    /// <summary>The strongly connected components of more than one folder (Tarjan).</summary>
    static List<List<string>> Cycles(IDictionary<string, SortedDictionary<string, SortedSet<string>>> graph)
    {
        var index = new Dictionary<string, int>(); var low = new Dictionary<string, int>();
        var stack = new Stack<string>(); var onStack = new HashSet<string>(); var found = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count; stack.Push(v); onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var e) ? e.Keys : Enumerable.Empty<string>())
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) found.Add(component.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var v in graph.Keys) if (!index.ContainsKey(v)) Visit(v);
        return found;
    }

    [Test]
    public void FoldersDependOnEachOtherOneWay()
    {
        var graph = Graph();
        graph.Keys.Should().Contain(new[] { "Util", "Scoring", "Pipelines", "Cli" }, "the scan reads the folders from the PDBs");
        TestContext.Out.WriteLine("folder -> the folders it refers to:");
        foreach (var (from, edges) in graph) TestContext.Out.WriteLine($"  {from} -> {string.Join(", ", edges.Keys)}");
        var cycles = Cycles(graph);
        string Explain(List<string> cycle) => string.Join("\n", cycle.SelectMany(a => graph[a].Where(e => cycle.Contains(e.Key))
            .Select(e => $"    {a} -> {e.Key}: {string.Join("; ", e.Value.Take(3))}{(e.Value.Count > 3 ? $" (+{e.Value.Count - 3})" : "")}")));
        cycles.Should().BeEmpty("folders must depend on each other one way; these refer to each other:\n" +
            string.Join("\n", cycles.Select(c => $"  {{{string.Join(", ", c)}}}\n{Explain(c)}")));
    }

    [Test]
    public void DocsArchitectureStatesTheOrder()
    {
        // docs/architecture.md lists the folders from the bottom ("`A`, `B` → `C` → … → the CLI"): every reference must point
        // to a lower level, and every folder must be listed
        var doc = File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "architecture.md"));
        int start = doc.IndexOf("The order, from the bottom:", StringComparison.Ordinal);
        start.Should().BeGreaterThan(0, "docs/architecture.md states the order");
        int end = doc.IndexOf("\n\n", doc.IndexOf('`', start), StringComparison.Ordinal);
        var levels = doc[start..end].Split('→').Select((group, level) => (group, level))
            .SelectMany(g => System.Text.RegularExpressions.Regex.Matches(g.group, "`([^`]+)`|the CLI").Select(m => (Folder: m.Groups[1].Success ? m.Groups[1].Value : "Cli", g.level)))
            .ToDictionary(x => x.Folder, x => x.level);
        var graph = Graph();
        graph.Keys.Where(f => f != ".").Should().BeSubsetOf(levels.Keys, "every folder has its place in the documented order");
        var upward = graph.SelectMany(kv => kv.Value.Keys.Where(to => to != "." && levels[to] >= levels[kv.Key]).Select(to => $"{kv.Key} -> {to}")).ToList();
        upward.Should().BeEmpty("each folder refers only to folders below it in docs/architecture.md's order");
    }

    [Test]
    public void TheCycleFinderFindsACycle()
    {
        SortedDictionary<string, SortedSet<string>> To(params string[] names) => new(names.ToDictionary(n => n, _ => new SortedSet<string>()));
        var graph = new Dictionary<string, SortedDictionary<string, SortedSet<string>>>
        {
            ["A"] = To("B"), ["B"] = To("C"), ["C"] = To("A", "D"), ["D"] = To(), ["E"] = To("D"),
        };
        Cycles(graph).Should().BeEquivalentTo(new[] { new[] { "A", "B", "C" } });
        graph["C"] = To("D");
        Cycles(graph).Should().BeEmpty();
    }

    /// <summary>TorchSharp calls that compute nothing: releasing, reading where a tensor or model lives, thread settings, a model's bytes to or from a file.</summary>
    static bool Computes(MethodBase m) => m.Name switch
    {
        "Dispose" or "get_type" or "get_num_threads" or "set_num_threads" or "save" or "load" or "get_shape" => false,
        _ => true,
    };

    /// <summary>Calls into TorchSharp that compute, made by types whose file is in no code version (the library's orchestration and the CLI).</summary>
    static List<string> TorchCallsOutsideCodeVersions() =>
        Folders.Where(kv => kv.Value == "Cli" || CodeVersionTests.ComputingFolder(kv.Value + "/x.cs") == null)
            .SelectMany(kv => ILScan.Methods(kv.Key).SelectMany(m => ILScan.Callees(m)
                .Where(c => c.DeclaringType?.Assembly == TorchSharpAssembly && Computes(c))
                .Select(c => $"{kv.Value}: {kv.Key.Name}.{m.Name} calls {c.DeclaringType!.Name}.{c.Name}")))
            .Distinct().Order(StringComparer.Ordinal).ToList();

    [Test]
    public void CodeOutsideEveryCodeVersionComputesNothingWithTorch()
    {
        var calls = TorchCallsOutsideCodeVersions();
        calls.Should().BeEmpty("a number computed outside every code version would stay current when its code changes; move the computation into a versioned folder:\n" +
            string.Join("\n", calls));
    }
}
