using System.Reflection;

namespace Harness.Util;

/// <summary>
/// Hashes of the source folders whose code computes each kind of result (build/CodeVersion.targets embeds them at build
/// time): <see cref="Training"/> (Data/, Models/, Training/, Numerics/), <see cref="Scoring"/> (Scoring/),
/// <see cref="Unlearning"/> (Unlearning/, Evaluation/), <see cref="Study"/> (Study/GroundTruths/: the study's ground truths
/// and their samples), <see cref="Population"/> (Populations/: reference-model populations and their membership statistics), and "diagnostics" (Diagnostics/: `harness numerics`'s probes, in no result's fingerprint). Orchestration is in none. HARNESS_CODE_SALT, when set, is mixed into all of them, and HARNESS_CODE_SALT_KIND
/// (e.g. HARNESS_CODE_SALT_SCORING) into that kind alone: tests use them to simulate a code change without editing code.
/// </summary>
public static class CodeVersion
{
    public static readonly string[] Kinds = { "training", "scoring", "unlearning", "study", "population", "diagnostics" };

    static string? Metadata(string key) =>
        typeof(CodeVersion).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;

    /// <summary>The source files (relative to src/Harness.Core/) a code version hashes.</summary>
    public static IReadOnlyList<string> Files(string kind) =>
        (Metadata($"CodeVersion.{kind}.files") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    static string Read(string kind)
    {
        var v = Metadata("CodeVersion." + kind);
        if (string.IsNullOrEmpty(v)) v = "unknown";
        if (Environment.GetEnvironmentVariable("HARNESS_CODE_SALT") is { Length: > 0 } salt) v = $"{v}+{salt}";
        if (Environment.GetEnvironmentVariable("HARNESS_CODE_SALT_" + kind.ToUpperInvariant()) is { Length: > 0 } own) v = $"{v}+{own}";
        return v;
    }

    /// <summary>The code version of one kind: training, scoring, unlearning or study.</summary>
    public static string Of(string kind) => Read(kind);

    public static string Training => Read("training");
    public static string Scoring => Read("scoring");
    public static string Unlearning => Read("unlearning");
    public static string Study => Read("study");
    public static string Population => Read("population");

    /// <summary>"training T, scoring S, unlearning U" (with ", study V" for a study's results): as a baseline's .md records them.</summary>
    public static string Describe(bool study = false) =>
        $"training {Training}, scoring {Scoring}, unlearning {Unlearning}" + (study ? $", study {Study}" : "");
}
