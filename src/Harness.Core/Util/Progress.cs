using System.Diagnostics;

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
    TimeSpan lastShown = TimeSpan.MinValue;
    int lastDecile = -1;

    public ConsoleProgress(TextWriter? output = null, bool? live = null)
    {
        this.output = output ?? Console.Error;
        this.live = live ?? !Console.IsErrorRedirected;
    }

    public void Start(string label, long total)
    {
        this.label = label; this.total = Math.Max(1, total);
        lastShown = TimeSpan.MinValue; lastDecile = -1;
        watch.Restart();
    }

    public void Report(long done, string? detail = null)
    {
        var now = watch.Elapsed;
        double frac = Math.Clamp((double)done / total, 0, 1);
        var eta = frac > 0 ? TimeSpan.FromSeconds(now.TotalSeconds * (1 - frac) / frac) : TimeSpan.Zero;
        string text = $"{label} {frac * 100,5:F1}% {done}/{total} {Fmt(now)} elapsed, ETA {Fmt(eta)}{(detail == null ? "" : "  " + detail)}";
        if (live)
        {
            if (now - lastShown < TimeSpan.FromMilliseconds(100) && done < total) return;
            lastShown = now;
            int width = 30, filled = (int)(frac * width);
            output.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}\u001b[K");
        }
        else
        {
            int decile = (int)(frac * 10);
            if (decile == lastDecile && now - lastShown < TimeSpan.FromSeconds(30)) return;
            lastDecile = decile; lastShown = now;
            output.WriteLine(text);
        }
    }

    public void Finish()
    {
        if (live) output.WriteLine();
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{label} done in {watch.Elapsed.TotalSeconds:F1} s"));
    }

    static string Fmt(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
