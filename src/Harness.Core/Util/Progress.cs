using System.Diagnostics;
using System.Globalization;

namespace Harness.Util;

/// <summary>Progress of a long step: a live bar on a terminal, plain lines when output is redirected.</summary>
public interface IProgress
{
    void Start(string label, long total);
    void Report(long done, string? detail = null);
    void Finish();
}

public sealed class ConsoleProgress : IProgress
{
    readonly TextWriter output;
    readonly bool live;
    readonly Stopwatch watch = new();
    string label = "";
    long total;
    TimeSpan? lastShown;
    int lastDecile = -1;

    /// <param name="live">
    /// A redrawn bar (terminal) or plain lines; by default a bar when standard error is a terminal. HARNESS_PROGRESS=live|plain
    /// forces either, which is how the tests run the terminal path without a terminal.
    /// </param>
    public ConsoleProgress(TextWriter? output = null, bool? live = null)
    {
        this.output = output ?? Console.Error;
        this.live = live ?? Environment.GetEnvironmentVariable("HARNESS_PROGRESS") switch
        {
            "live" => true,
            "plain" => false,
            _ => !Console.IsErrorRedirected,
        };
    }

    public bool Live => live;

    public void Start(string label, long total)
    {
        this.label = label; this.total = Math.Max(1, total);
        lastShown = null; lastDecile = -1;
        watch.Restart();
    }

    public void Report(long done, string? detail = null)
    {
        var now = watch.Elapsed;
        double frac = Math.Clamp((double)done / total, 0, 1);
        var eta = frac > 0 ? TimeSpan.FromSeconds(now.TotalSeconds * (1 - frac) / frac) : TimeSpan.Zero;
        string text = string.Create(CultureInfo.InvariantCulture,
            $"{label} {frac * 100,5:F1}% {done}/{total} {Fmt(now)} elapsed, ETA {Fmt(eta)}{(detail == null ? "" : "  " + detail)}");
        // Nothing shown yet (lastShown null) always shows: the first report must never be compared with a sentinel time.
        TimeSpan since = lastShown is TimeSpan shown ? now - shown : TimeSpan.MaxValue;
        if (live)
        {
            if (since < TimeSpan.FromMilliseconds(100) && done < total) return;
            lastShown = now;
            int width = 30, filled = (int)(frac * width);
            output.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}\u001b[K");
        }
        else
        {
            int decile = (int)(frac * 10);
            if (decile == lastDecile && since < TimeSpan.FromSeconds(30)) return;
            lastDecile = decile; lastShown = now;
            output.WriteLine(text);
        }
    }

    public void Finish()
    {
        if (live) output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} done in {watch.Elapsed.TotalSeconds:F1} s"));
    }

    static string Fmt(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);
}
