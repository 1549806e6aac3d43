using System.Reflection;

namespace Harness.Util;

/// <summary>
/// Hashes of the source files that produce each kind of result (build/CodeVersion.targets embeds them at build time):
/// <see cref="Training"/> (data loaders, models, trainer), <see cref="Scoring"/> (Stein scores, kernels, the pass),
/// <see cref="Unlearning"/> (unlearners, measurements, the matrix runner), <see cref="Study"/> (the validation study's ground truths and statistics). HARNESS_CODE_SALT, when set, is mixed into
/// all three: tests use it to simulate a code change without editing code.
/// </summary>
public static class CodeVersion
{
    static string Read(string kind)
    {
        var v = typeof(CodeVersion).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "CodeVersion." + kind)?.Value;
        if (string.IsNullOrEmpty(v)) v = "unknown";
        return Environment.GetEnvironmentVariable("HARNESS_CODE_SALT") is { Length: > 0 } salt ? $"{v}+{salt}" : v;
    }

    public static string Training => Read("training");
    public static string Scoring => Read("scoring");
    public static string Unlearning => Read("unlearning");
    public static string Study => Read("study");

    /// <summary>"training T, scoring S, unlearning U" (with ", study V" for a study's results): as a baseline's .md records them.</summary>
    public static string Describe(bool study = false) =>
        $"training {Training}, scoring {Scoring}, unlearning {Unlearning}" + (study ? $", study {Study}" : "");
}
