using System.Diagnostics;
using FluentAssertions;
using Harness.Experiments;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

/// <summary>
/// `harness run` as users run it, in child processes on real MNIST: killed midway and rerun, and split into two shards;
/// each merged table must equal an uninterrupted run's (all columns but the wall-clock seconds).
/// </summary>
[NonParallelizable]
public class ResumeAndShardTests
{
    string dir = "", config = "", cache = "";

    const string Tiny = """
        matrices:
          tiny:
            datasets: [mnist]
            scorers: [pc, ssn, mksd]
            sides: [easy, hard]
            points: 2
            unlearners: [gradascent, fisher, finetune]
            expansions: [0, 3]
            seeds: [0]
            training: { epochs: 1, threads: 2, device: cpu, train_limit: 300, test_limit: 300 }
            scoring: { top_k: 3 }
            unlearning:
              finetune: { epochs: 2 }
              fisher: { fisher_samples: 100 }
        """;

    [OneTimeSetUp]
    public void SetUp()
    {
        dir = TestSupport.TempDir("resume");
        config = Path.Combine(dir, "experiments.yaml");
        cache = Path.Combine(dir, "cache");
        File.WriteAllText(config, Tiny);
    }

    [OneTimeTearDown] public void TearDown() => Directory.Delete(dir, true);

    ProcessStartInfo Harness(string results, params string[] args) => HarnessOnCache(results, cache, args);

    ProcessStartInfo HarnessOnCache(string results, string cacheDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "harness.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--config"); psi.ArgumentList.Add(config);
        psi.ArgumentList.Add("--results"); psi.ArgumentList.Add(results);
        psi.Environment["HARNESS_CACHE"] = cacheDir;
        return psi;
    }

    /// <summary>Runs harness to completion, expecting exit 0; returns what it wrote to standard error (progress, logs).</summary>
    string Run(string results, params string[] args)
    {
        using var p = Process.Start(Harness(results, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        p.ExitCode.Should().Be(0, $"harness {string.Join(" ", args)} failed:\n{stderr.Result}\n{stdout.Result}");
        return stderr.Result;
    }

    static string[] Table(string results)
    {
        var lines = File.ReadAllLines(Path.Combine(results, "tiny", "cells.csv"));
        return lines.Select(l => string.Join(",", l.Split(',')[..^1])).ToArray(); // drop `seconds`
    }

    string Uninterrupted()
    {
        var results = Path.Combine(dir, "whole");
        if (!File.Exists(Path.Combine(results, "tiny", "cells.csv")))
        {
            Run(results, "run", "--matrix", "tiny");
            Run(results, "merge", "--matrix", "tiny");
        }
        return results;
    }

    [Test]
    public void KilledMidwayThenRerunGivesTheSameTable()
    {
        var whole = Uninterrupted();
        int total = File.ReadAllLines(Path.Combine(whole, "tiny", "cells.csv")).Length - 1;
        total.Should().Be(72);

        var results = Path.Combine(dir, "killed");
        var cells = Path.Combine(results, "tiny", "cells");
        using (var p = Process.Start(Harness(results, "run", "--matrix", "tiny"))!)
        {
            _ = p.StandardOutput.ReadToEndAsync(); var err = p.StandardError.ReadToEndAsync();
            var watch = Stopwatch.StartNew();
            while (!p.HasExited && watch.Elapsed < TimeSpan.FromMinutes(3) &&
                   (!Directory.Exists(cells) || Directory.GetFiles(cells, "*.json", SearchOption.AllDirectories).Length < 5))
                Thread.Sleep(20);
            if (p.HasExited) Assert.Fail($"the run must still be going when it is killed; it exited with {p.ExitCode}:\n{err.Result}");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        int done = Directory.GetFiles(cells, "*.json", SearchOption.AllDirectories).Length;
        TestContext.Out.WriteLine($"killed after {done} of {total} cells");
        done.Should().BeInRange(1, total - 1);

        var log = Run(results, "run", "--matrix", "tiny");
        // The bar counts only the cells still to run, so its ETA is not diluted by the reused ones.
        log.Should().Contain($"tiny ({done} finished cells reused)").And.Contain($" {total - done}/{total - done} ");
        Run(results, "merge", "--matrix", "tiny");
        Table(results).Should().Equal(Table(whole));
    }

    /// <summary>
    /// A finished matrix whose reused scoring file rotted on disk (one neighbour index off by one bit, the fault that once
    /// changed 2 of 24 cells silently): the rerun names the file, scores again and gives the undisturbed table.
    /// </summary>
    [Test]
    public void AFlippedBitInAReusedScoringFileIsRescoredNotUsed()
    {
        var whole = Uninterrupted();
        var results = Path.Combine(dir, "rotten");
        CopyTree(whole, results);
        var indices = Directory.GetFiles(Path.Combine(results, "tiny", "shared"), "indices.npy", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(indices);
        bytes[^5] ^= 0x01; // the low bit of an index near the end
        File.WriteAllBytes(indices, bytes);
        RerunGivesTheTableOf(whole, results)
            .Should().Contain($"not reusing the input-median scores in {Path.GetDirectoryName(Path.GetDirectoryName(indices))}: {indices} has SHA-256 ");
    }

    /// <summary>
    /// The results folder on a 256 KB tmpfs that fills up mid-run: one `error:` line saying the disk is full (with the bytes
    /// left), exit 74, no stack trace and no temporary file left; the same folder read-only: one error line, exit 74; with
    /// the file system writable and grown (remount), the same command continues from the finished cells and the table is the
    /// undisturbed run's. Needs root and mount (skipped elsewhere).
    /// </summary>
    [Test]
    public void AFullOrReadOnlyDiskIsOneErrorAndTheRerunContinues()
    {
        var whole = Uninterrupted();
        var results = Path.Combine(dir, "small-disk");
        Directory.CreateDirectory(results);
        if (!Mount($"-t tmpfs -o size=256k tmpfs {results}")) Assert.Ignore("cannot mount a tmpfs here (needs root and mount)");
        try
        {
            using (var p = Process.Start(Harness(results, "run", "--matrix", "tiny"))!)
            {
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                p.WaitForExit();
                p.ExitCode.Should().Be(74, stderr.Result);
                var errors = stderr.Result.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
                errors.Should().ContainSingle().Which.Should().StartWith("error: the disk is full (").And.Contain("bytes available on the file system of");
                stderr.Result.Should().NotContain("harness crashed").And.NotContain("   at ");
            }
            Directory.GetFiles(results, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("nothing half-written is left");
            // the same folder made read-only: the rerun's first write is one error too
            Mount($"-o remount,ro {results}").Should().BeTrue();
            using (var p = Process.Start(Harness(results, "run", "--matrix", "tiny"))!)
            {
                _ = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                p.WaitForExit();
                p.ExitCode.Should().Be(74, stderr.Result);
                stderr.Result.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).Should().ContainSingle()
                    .Which.Should().MatchRegex("^error: (the file system is read-only|permission denied)");
                stderr.Result.Should().NotContain("   at ");
            }
            Mount($"-o remount,rw,size=64m {results}").Should().BeTrue();
            RerunGivesTheTableOf(whole, results).Should().Contain("finished cells reused");
        }
        finally { Mount($"-l {results}", "umount"); }
    }

    /// <summary>Runs and merges the matrix in <paramref name="results"/> again: its table must be the undisturbed run's. Returns the run's log.</summary>
    string RerunGivesTheTableOf(string whole, string results)
    {
        var log = Run(results, "run", "--matrix", "tiny");
        Run(results, "merge", "--matrix", "tiny");
        Table(results).Should().Equal(Table(whole));
        return log;
    }

    /// <summary>A copy of every file under <paramref name="from"/> at the same place under <paramref name="to"/>.</summary>
    static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    static bool Mount(string arguments, string command = "mount")
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>
    /// Every file of a finished matrix's results folder and of its cache with one bit flipped at once: the rerun either
    /// ends in the undisturbed table or stops with an error naming a file, never a different table with exit 0.
    /// </summary>
    [Test]
    public void EveryFileFlippedAtOnceNeverGivesADifferentTable([Values(7, 8, 9)] int seed)
    {
        var whole = Uninterrupted();
        var root = Path.Combine(dir, $"everything-flipped-{seed}");
        var results = Path.Combine(root, "results");
        var cacheCopy = Path.Combine(root, "cache");
        CopyTree(whole, results);
        CopyTree(cache, cacheCopy);
        var rng = new Random(seed);
        int flipped = 0;
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length == 0) continue;
            bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
            File.WriteAllBytes(file, bytes);
            flipped++;
        }
        TestContext.Out.WriteLine($"{flipped} files flipped");
        string Attempt(params string[] args)
        {
            using var p = Process.Start(HarnessOnCache(results, cacheCopy, args))!;
            _ = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return p.ExitCode == 0 ? "" : stderr.Result;
        }
        var failure = Attempt("run", "--matrix", "tiny");
        if (failure == "") failure = Attempt("merge", "--matrix", "tiny");
        if (failure == "")
            Table(results).Should().Equal(Table(whole), "a rerun that succeeds gives the undisturbed table");
        else
        {
            TestContext.Out.WriteLine(failure);
            failure.Should().MatchRegex("error: .*/", "a rerun that stops names the file");
            failure.Should().NotContain("harness crashed");
        }
    }

    /// <summary>A finished cell's record with one digit changed on disk: the rerun sees it no longer matches its seal, computes the cell again, and the table is the undisturbed one.</summary>
    [Test]
    public void AnEditedCellRecordIsComputedAgain()
    {
        var whole = Uninterrupted();
        var results = Path.Combine(dir, "edited");
        CopyTree(whole, results);
        var record = Directory.GetFiles(Path.Combine(results, "tiny", "cells"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var text = File.ReadAllText(record);
        int at = text.IndexOf("\"test_acc\": 0.", StringComparison.Ordinal) + "\"test_acc\": 0.".Length;
        File.WriteAllText(record, text[..at] + (text[at] == '9' ? '8' : '9') + text[(at + 1)..]);
        RerunGivesTheTableOf(whole, results).Should().Contain("1 cells stale: damaged on disk (it no longer matches its seal); recomputing");
    }

    /// <summary>
    /// `verify --audit`: cells drawn from a finished matrix, computed afresh, match the accepted baseline bit for bit; one
    /// value of a drawn cell changed in the baseline, and the audit fails naming that cell and column; the results folder's
    /// own cell records are untouched by either.
    /// </summary>
    [Test]
    public void AnAuditRecomputesDrawnCellsAndCatchesATamperedBaseline()
    {
        var whole = Uninterrupted();
        var results = Path.Combine(dir, "audit");
        CopyTree(whole, results);
        Run(results, "accept", "--matrix", "tiny", "--why", "the audit test's baseline");
        var baseline = Directory.GetFiles(Path.Combine(results, "tiny"), "tiny-cells.*.verified.csv").Single();
        var records = Directory.GetFiles(Path.Combine(results, "tiny", "cells"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (f, File.GetLastWriteTimeUtc(f))).ToList();

        (int Code, string Out, string Err) Audit()
        {
            using var p = Process.Start(Harness(results, "verify", "--matrix", "tiny", "--audit", "3", "--seed", "5"))!;
            var stdout = p.StandardOutput.ReadToEndAsync(); var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        var clean = Audit();
        clean.Code.Should().Be(0, clean.Err + clean.Out);
        clean.Out.Should().Contain("audit: 3 of 3 recomputed bit for bit");

        // the first drawn cell's test loss, a billionth off in the baseline
        var lines = File.ReadAllLines(baseline);
        var header = lines[0].Split(',');
        var drawn = global::Harness.Pipelines.Audit.Draw(lines.Skip(1).Select(l => l.Split(',')[0]), 3, 5);
        int row = Array.FindIndex(lines, l => l.StartsWith(drawn[0] + ",", StringComparison.Ordinal));
        var fields = lines[row].Split(',');
        int column = Array.IndexOf(header, "test_loss");
        fields[column] = (double.Parse(fields[column], System.Globalization.CultureInfo.InvariantCulture) * (1 + 1e-9)).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        lines[row] = string.Join(",", fields);
        File.WriteAllLines(baseline, lines);

        var tampered = Audit();
        tampered.Code.Should().Be(1, "a recomputed cell that differs from its baseline is a failed verification");
        tampered.Err.Should().Contain($"{drawn[0]} (test_loss: baseline {fields[column]}, recomputed ");
        tampered.Out.Should().Contain("audit: 2 of 3 recomputed bit for bit");
        records.Should().Equal(Directory.GetFiles(Path.Combine(results, "tiny", "cells"), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => (f, File.GetLastWriteTimeUtc(f))), "an audit writes its cells elsewhere");
    }

    /// <summary>
    /// Two shards started together on an empty cache and results folder: one trains the model and one scores, the other
    /// waits for each (a lock file in the cache, and in the shared results folder) and reuses it; both finish, and the merged
    /// table equals an unsharded run's.
    /// </summary>
    [Test]
    public void TwoConcurrentShardsTrainAndScoreOnce()
    {
        var whole = Uninterrupted();
        var results = Path.Combine(dir, "concurrent");
        var freshCache = Path.Combine(dir, "concurrent-cache");
        var runs = new[] { "0/2", "1/2" }.Select(shard =>
        {
            var p = Process.Start(HarnessOnCache(results, freshCache, "run", "--matrix", "tiny", "--shard", shard))!;
            return (Process: p, Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync());
        }).ToList();
        foreach (var r in runs)
        {
            r.Process.WaitForExit(600_000).Should().BeTrue();
            r.Process.ExitCode.Should().Be(0, r.Err.Result);
        }
        var logs = runs.Select(r => r.Err.Result).ToList();
        for (int i = 0; i < 2; i++) TestContext.Out.WriteLine($"--- shard {i}/2:\n{logs[i]}");
        string all = string.Join("\n", logs);
        System.Text.RegularExpressions.Regex.Matches(all, "training cnn2 on 300 mnist images").Count.Should().Be(1, "one shard trains");
        System.Text.RegularExpressions.Regex.Matches(all, "scoring 300 training points").Count.Should().Be(1, "one shard scores");
        Run(results, "merge", "--matrix", "tiny");
        Table(results).Should().Equal(Table(whole));
    }

    [Test]
    public void TwoShardsMergedEqualTheUnshardedRun()
    {
        var whole = Uninterrupted();
        var results = Path.Combine(dir, "sharded");
        Run(results, "run", "--matrix", "tiny", "--shard", "0/2");
        int first = Directory.GetFiles(Path.Combine(results, "tiny", "cells"), "*.json", SearchOption.AllDirectories).Length;
        first.Should().BeInRange(1, 71, "a shard runs only its share");
        Run(results, "run", "--matrix", "tiny", "--shard", "1/2");
        Run(results, "merge", "--matrix", "tiny");
        Table(results).Should().Equal(Table(whole));
    }
}
