using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests;

/// <summary>
/// The code versions hash exactly the folders whose code computes the numbers a cached result holds, and nothing else,
/// so that editing a runner's log line leaves every finished cell and study point current while editing a ground truth's
/// sample makes the study stale. Every folder of Harness.Core is either computing (in one code version) or orchestration
/// (in none): a new folder must be placed here, on one side.
/// </summary>
public class CodeVersionTests
{
    internal static readonly Dictionary<string, string> Computing = new()
    {
        ["Data"] = "training", ["Models"] = "training", ["Training"] = "training", ["Numerics"] = "training",
        ["Scoring"] = "scoring",
        ["Unlearning"] = "unlearning", ["Evaluation"] = "unlearning",
        ["Study/GroundTruths"] = "study",
        ["Populations"] = "population",
        ["Diagnostics"] = "diagnostics",
    };

    internal static readonly string[] Orchestration = { "", "Runs", "Experiments", "Study", "Forget", "Jobs", "Config", "Reporting", "Pipelines", "Profiles", "Util" };

    static string CoreDir => Path.Combine(Paths.RepoRoot, "src", "Harness.Core");

    static List<string> Sources() => Directory.EnumerateFiles(CoreDir, "*.cs", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(CoreDir, f).Replace('\\', '/'))
        .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The computing folder a file lies in (the deepest listed), or null for orchestration.</summary>
    internal static string? ComputingFolder(string file) =>
        Computing.Keys.Where(d => file.StartsWith(d + "/", StringComparison.Ordinal)).OrderByDescending(d => d.Length).FirstOrDefault();

    [Test]
    public void EverySourceFolderIsComputingOrOrchestration()
    {
        var folders = Sources().Select(f => Path.GetDirectoryName(f)!.Replace('\\', '/')).Distinct();
        var unplaced = folders.Where(d => ComputingFolder(d + "/x.cs") == null && !Orchestration.Contains(d)).ToList();
        unplaced.Should().BeEmpty("every folder of Harness.Core is either computing (one code version) or orchestration (none); place new ones in this test");
    }

    [Test]
    public void EachComputingFileIsInItsCodeVersionAndNoOrchestrationFileIsInAny()
    {
        var versionOf = CodeVersion.Kinds.SelectMany(k => CodeVersion.Files(k).Select(f => (File: f, Kind: k))).ToList();
        versionOf.Should().NotBeEmpty("the build embeds the file lists");
        versionOf.GroupBy(x => x.File).Where(g => g.Count() > 1).Select(g => g.Key).Should().BeEmpty("a file belongs to one code version");
        var byFile = versionOf.ToDictionary(x => x.File, x => x.Kind);
        foreach (var file in Sources())
        {
            var folder = ComputingFolder(file);
            if (folder != null)
                byFile.GetValueOrDefault(file).Should().Be(Computing[folder], $"{file} computes numbers, so code version '{Computing[folder]}' must hash it");
            else
                byFile.Should().NotContainKey(file, $"{file} is orchestration and must not make results stale");
        }
        byFile.Keys.Should().OnlyContain(f => File.Exists(Path.Combine(CoreDir, f)), "the hashed files exist");
    }

    [TestCase("Experiments/MatrixRunner.cs")]
    [TestCase("Study/StudyRunner.cs")]
    [TestCase("Runs/WorkRunner.cs")]
    [TestCase("Util/Progress.cs")]
    [TestCase("Jobs/ScoreJob.cs")]
    [TestCase("Reporting/StudyReport.cs")]
    [TestCase("Forget/RequestReport.cs")]
    public void EditingARunnerOrItsProgressChangesNoCodeVersion(string file)
    {
        File.Exists(Path.Combine(CoreDir, file)).Should().BeTrue();
        CodeVersion.Kinds.SelectMany(CodeVersion.Files).Should().NotContain(file, "a log message or a progress line must leave every cell and study point current");
    }

    [TestCase("Training/TrainedModel.cs", "training")]
    [TestCase("Study/GroundTruths/CollateralTestSet.cs", "study")]
    [TestCase("Study/GroundTruths/GroundTruths.cs", "study")]
    [TestCase("Unlearning/RemovalExpansion.cs", "unlearning")]
    [TestCase("Evaluation/UnlearnMeasurement.cs", "unlearning")]
    [TestCase("Scoring/PointQuantities.cs", "scoring")]
    [TestCase("Numerics/PortableMath.cs", "training")]
    [TestCase("Diagnostics/NumericsProbe.cs", "diagnostics")]
    public void EditingWhatComputesANumberChangesItsCodeVersion(string file, string kind) =>
        CodeVersion.Files(kind).Should().Contain(file, "the study's points (or the cells) must go stale when it changes");
}

