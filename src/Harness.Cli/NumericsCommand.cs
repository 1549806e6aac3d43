using Harness.Numerics;
using Harness.Diagnostics;

namespace Harness.Cli;

/// <summary>
/// `harness numerics`: hashes of small fixed computations per kernel family (<see cref="NumericsProbe"/>), written to
/// results/numerics/CLASS.json and compared with every other class's file there, so a machine of another CPU class can
/// tell which kernels give it other last bits than the machines that made the committed baselines.
/// </summary>
static class NumericsCommand
{
    public static Command Build()
    {
        var threads = Opt.Int("--threads", "CPU threads the probe runs with (the baselines' cells run with 1 or 2)", "2", 1, 256);
        var outDir = Opt.Text("--out", "folder of the probes, one CLASS.json per numerics class", "dir", "results/numerics");
        var c = new Command("numerics", "hash small fixed computations per kernel family and compare them with the other CPU classes' probes").With(threads, outDir);
        c.SetAction(r => Run(r.GetValue(threads) ?? 2, r.GetValue(outDir) ?? Runs.ResultsLayout.Repository.Numerics));
        return c;
    }

    static int Run(int threads, string dir)
    {
        var report = NumericsProbe.Run(threads);
        foreach (var (name, hash) in Diagnostics.KernelPassProbe.Run(threads)) report.Hashes[name] = hash; // the kernel pass's own code
        Directory.CreateDirectory(dir);
        var path = Runs.ResultsLayout.NumericsProbe(dir, report.NumericsClass);
        AtomicFile.WriteAllText(path, Json.Serialize(report) + "\n");
        Console.WriteLine($"numerics class {report.NumericsClass} ({report.Machine}; {report.Numerics}; {threads} threads): {report.Hashes.Count} probes in {path}");
        foreach (var (name, wrong) in report.Inexact) Console.WriteLine($"  {name}: {(wrong == 0 ? "correctly rounded" : $"{wrong} outputs not correctly rounded")}");
        foreach (var other in Directory.GetFiles(dir, "*.json").Where(p => p != path).Order(StringComparer.Ordinal))
        {
            NumericsProbe.Report? them;
            try { them = Json.Deserialize<NumericsProbe.Report>(File.ReadAllText(other)); }
            catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException) { Console.WriteLine($"  {other}: unreadable ({e.Message})"); continue; }
            if (them == null) continue;
            var differ = report.Hashes.Where(kv => them.Hashes.TryGetValue(kv.Key, out var h) && h != kv.Value).Select(kv => kv.Key).ToList();
            int shared = report.Hashes.Keys.Count(them.Hashes.ContainsKey);
            string threadNote = them.Threads == threads ? "" : $" (made with {them.Threads} threads)";
            Console.WriteLine($"against {them.NumericsClass}{threadNote}: {differ.Count} of {shared} probes differ" + (differ.Count > 0 ? ":" : ""));
            foreach (var d in differ) Console.WriteLine($"  {d}");
        }
        return 0;
    }
}
