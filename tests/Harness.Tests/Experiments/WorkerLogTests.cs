using FluentAssertions;
using Harness.Runs;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

/// <summary>
/// A failed worker is reported by the unit it was computing and its error, not by the log's last lines: a crash's message
/// comes before its stack trace (CI once printed only the trace of a LibTorch error, without the error).
/// </summary>
public class WorkerLogTests
{
    static string[] Log(params string[] lines) => lines.SelectMany(l => l.Split('\n')).ToArray();

    /// <summary>What `harness` writes for an unexpected exception (Cli.Run), from an exception really thrown.</summary>
    static string Crash(string message)
    {
        try { Throw(message); }
        catch (Exception e) { return $"{WorkerLog.CrashHeader}\n{e}"; }
        return "";
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static void Throw(string message) => Helper(message);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static void Helper(string message) => throw new System.Runtime.InteropServices.ExternalException(message);

    [Test]
    public void ACrashIsReportedByItsMessageAndTheUnitItStopped()
    {
        var frames = string.Join("\n", Enumerable.Range(0, 20).Select(k => $"frame #{k}: <unknown function> + 0x{k:x}"));
        var lines = Log(
            "worker 1/2: mnist/a in 3.0 s",
            "worker 1/2: mnist/b",
            Crash($"DefaultCPUAllocator: not enough memory: you tried to allocate 169344000 bytes.\n{frames}"));
        lines.TakeLast(WorkerLog.TailLines).Should().NotContain(l => l.Contains("DefaultCPUAllocator"), "the old report's 15 lines missed it");

        var text = WorkerLog.Describe(lines);
        text.Should().StartWith("it was computing mnist/b:\n" + WorkerLog.CrashHeader);
        text.Should().Contain("System.Runtime.InteropServices.ExternalException").And.Contain("DefaultCPUAllocator: not enough memory");
        text.Should().Contain($"({21 - WorkerLog.MessageLines} more lines of the message in the log)", "LibTorch's own frames are cut");
        text.Should().Contain("   at ").And.Contain(nameof(Helper));
        text.Split('\n').Length.Should().BeLessThan(WorkerLog.MessageLines + 8);
    }

    [Test]
    public void AnErrorLineOrTheLogsEndIsReportedWhereThereIsNoCrash()
    {
        WorkerLog.Describe(Log("worker 0/2: mnist/a in 3.0 s", "worker 0/2: mnist/b", "error: results/x.json: not a result file."))
            .Should().Be("it was computing mnist/b:\nerror: results/x.json: not a result file.");
        var plain = Enumerable.Range(0, 30).Select(k => $"line {k}").ToArray();
        WorkerLog.Describe(plain).Should().Be("its log says:\n" + string.Join("\n", plain.TakeLast(WorkerLog.TailLines)));
        WorkerLog.Describe(Log("worker 0/2: mnist/a", "worker 0/2: mnist/a in 2.0 s", "worker 0/2: 1 cells computed", "killed"))
            .Should().StartWith("its log says:\n", "every unit it started it finished");
    }
}
