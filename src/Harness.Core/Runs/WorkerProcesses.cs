using System.Diagnostics;
using System.Reflection;

namespace Harness.Runs;

/// <summary>
/// Starts worker processes (`harness run --worker i/n` for a matrix, `harness study --worker i/n` for a study): the same
/// executable (the `harness` entry assembly), the same experiments file, results and data root, plain progress, output to a log file per worker.
/// </summary>
public static class WorkerProcesses
{
    /// <summary>Worker i of n of a matrix's run (`--phase PHASE` for a phase before the cells: the population).</summary>
    public static Func<int, int, Process> Starter(string configPath, string matrix, string resultsRoot, string? dataRoot, string? shard, string? phase = null) => (i, n) =>
    {
        var args = Args("run", "--matrix", matrix, configPath, resultsRoot, dataRoot, shard, i, n);
        if (phase != null) args.AddRange(new[] { "--phase", phase });
        return Start(args, new ResultsLayout(resultsRoot).WorkerLog(matrix, i, phase));
    };

    public static Func<int, int, Process> StudyStarter(string configPath, string study, string resultsRoot, string? dataRoot, string? shard) => (i, n) =>
        Start(Args("study", "--study", study, configPath, resultsRoot, dataRoot, shard, i, n), new ResultsLayout(resultsRoot).WorkerLog(study, i));

    static List<string> Args(string command, string nameOption, string name, string configPath, string resultsRoot, string? dataRoot, string? shard, int i, int n)
    {
        var args = new List<string> { command, nameOption, name, "--config", configPath, "--results", resultsRoot, "--worker", $"{i}/{n}" };
        if (dataRoot != null) args.AddRange(new[] { "--data-root", dataRoot });
        if (shard != null) args.AddRange(new[] { "--shard", shard });
        return args;
    }

    static Process Start(IReadOnlyList<string> args, string logPath)
    {
        var psi = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var self = Environment.ProcessPath ?? "dotnet";
        psi.FileName = self;
        // Under `dotnet harness.dll` the process is dotnet itself: pass the assembly first.
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["HARNESS_PROGRESS"] = "plain";
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        void Write(string? line) { if (line != null) lock (log) log.WriteLine(line); }
        p.OutputDataReceived += (_, e) => Write(e.Data);
        p.ErrorDataReceived += (_, e) => Write(e.Data);
        p.Exited += (_, _) => { p.WaitForExit(); lock (log) log.Dispose(); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }
}
