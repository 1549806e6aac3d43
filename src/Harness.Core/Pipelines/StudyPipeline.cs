using Harness.Experiments;
using Harness.Runs;
using Harness.Study;

namespace Harness.Pipelines;

/// <summary>`harness study` and the study part of `reproduce`: run a study (workers as declared), write its tables and figures, verify its summary.</summary>
public static class StudyPipeline
{
    /// <summary>The failure, if any, is returned rather than thrown.</summary>
    public static (StudyOutcome Outcome, string? Matched, VerificationFailedException? Failure) RunAndVerify(ExperimentsFile file, StudySpec study, string resultsRoot, string? dataRoot, string? shard)
    {
        var runner = new StudyRunner(file, study, resultsRoot, dataRoot) { StartWorker = WorkerProcesses.StudyStarter(file.Path, study.Name, resultsRoot, dataRoot, shard) };
        var outcome = runner.Run(Sharding.Resolve(shard), new ConsoleProgress(), s => Reporting.StudyFigures.Draw(s, runner.Files));
        if (outcome.Summary == null) return (outcome, null, null);
        try { return (outcome, StudyTables.Verify(study, runner.Files), null); }
        catch (VerificationFailedException e) { return (outcome, null, e); }
    }
}
