using System.Diagnostics;
using System.Reflection;

namespace Harness.Cli;

/// <summary>
/// Starts `harness run --worker i/n` processes for a matrix with `workers: n`: the same executable, the same experiments
/// file, results and data root, plain progress, output to results/MATRIX/workers/worker-i.log.
/// </summary>
static class Workers
{
    public static Func<int, int, Process> Starter(string configPath, string matrix, string resultsRoot, string? dataRoot, string? shard) => (i, n) =>
    {
        var psi = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var self = Environment.ProcessPath ?? "dotnet";
        psi.FileName = self;
        // Under `dotnet harness.dll` the process is dotnet itself: pass the assembly first.
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in new[] { "run", "--matrix", matrix, "--config", configPath, "--results", resultsRoot, "--worker", $"{i}/{n}" }) psi.ArgumentList.Add(a);
        if (dataRoot != null) { psi.ArgumentList.Add("--data-root"); psi.ArgumentList.Add(dataRoot); }
        if (shard != null) { psi.ArgumentList.Add("--shard"); psi.ArgumentList.Add(shard); }
        psi.Environment["HARNESS_PROGRESS"] = "plain";
        var logPath = Path.Combine(resultsRoot, matrix, "workers", $"worker-{i}.log");
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
    };
}
