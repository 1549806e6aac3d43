using System.Diagnostics;
using System.Globalization;
using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Cli;

/// <summary>The progress display on both of its paths: the live bar a terminal gets, and plain lines.</summary>
public class ProgressTests
{
    [Test]
    public void TheLiveBarRunsThroughAWholeBarInvariantOfTheCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var output = new StringWriter();
            var progress = new ConsoleProgress(output, live: true);
            progress.Start("cells", 1000);
            for (int i = 1; i <= 1000; i++) progress.Report(i, $"cell {i}");
            progress.Finish();
            var text = output.ToString();
            text.Should().StartWith("\r[").And.Contain("\u001b[K");
            text.Should().Contain("[##############################] cells 100.0% 1000/1000");
            text.Should().MatchRegex(@"cells done in \d+\.\d s\n$");
            text.Should().NotContain("100,0", "percentages are culture-invariant");
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Test]
    public void PlainLinesShowEachTenthOnce()
    {
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, live: false);
        progress.Start("x", 100);
        for (int i = 1; i <= 100; i++) progress.Report(i);
        progress.Finish();
        var lines = output.ToString().TrimEnd('\n').Split('\n');
        lines.Should().HaveCount(12, "the first report, each of the ten tenths, and the closing line");
        lines[^2].Should().StartWith("x 100.0% 100/100");
    }

    [Test]
    public void HarnessProgressForcesEitherPath()
    {
        Environment.SetEnvironmentVariable("HARNESS_PROGRESS", "live");
        try { new ConsoleProgress(new StringWriter()).Live.Should().BeTrue(); }
        finally { Environment.SetEnvironmentVariable("HARNESS_PROGRESS", null); }
        Environment.SetEnvironmentVariable("HARNESS_PROGRESS", "plain");
        try { new ConsoleProgress(new StringWriter()).Live.Should().BeFalse(); }
        finally { Environment.SetEnvironmentVariable("HARNESS_PROGRESS", null); }
    }

    /// <summary>
    /// `harness train` in a real pseudo-terminal (util-linux `script`), as a user runs it: the live bar is drawn through
    /// to the end and the command exits 0. A one-epoch model on 600 MNIST images keeps it to seconds.
    /// </summary>
    [Test]
    public void InARealTerminalTrainDrawsALiveBarAndExits0()
    {
        if (!File.Exists("/usr/bin/script")) Assert.Ignore("util-linux `script` is not installed");
        var dir = TestSupport.TempDir("pty");
        try
        {
            string harness = $"dotnet {Path.Combine(AppContext.BaseDirectory, "harness.dll")} train --dataset mnist --train-limit 600 --epochs 1 --threads 2 --device cpu --out {dir}";
            var psi = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-qec", harness, Path.Combine(dir, "typescript") }) psi.ArgumentList.Add(a);
            psi.Environment["HARNESS_CACHE"] = Path.Combine(dir, "cache");
            psi.Environment.Remove("HARNESS_PROGRESS");
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit(300_000).Should().BeTrue("a one-epoch model on 600 images takes seconds");
            string text = stdout.Result + stderr.Result;
            p.ExitCode.Should().Be(0, text);
            text.Should().Contain("\r[").And.Contain("100.0%").And.NotContain("Unhandled exception");
            File.Exists(Path.Combine(dir, "train.json")).Should().BeTrue();
        }
        finally { Directory.Delete(dir, true); }
    }
}
