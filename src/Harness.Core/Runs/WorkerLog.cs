namespace Harness.Runs;

/// <summary>
/// What a failed worker's log says, in the few lines the parent prints: the unit it was computing and its error. A crash's
/// message (for a LibTorch error, the error and its C++ frames) comes before the .NET stack trace, so the log's last lines
/// alone would show only the trace.
/// </summary>
public static class WorkerLog
{
    /// <summary>The line `harness` prints before an unexpected exception (Cli.Run), which the exception's text follows.</summary>
    public const string CrashHeader = "harness crashed (a bug, not your mistake; please report it with what follows):";

    /// <summary>Lines kept of a crash's message (LibTorch appends up to ~30 frames of its own).</summary>
    public const int MessageLines = 8;

    /// <summary>Lines kept of the log's end where it holds no crash report.</summary>
    public const int TailLines = 15;

    /// <summary>The parent's account of a failed worker from its log's lines: "it was computing ID:" and the error.</summary>
    public static string Describe(IReadOnlyList<string> lines)
    {
        string? unit = null;
        // a worker logs "worker i/n: ID" when it starts a unit and "worker i/n: ID in T s" when it finishes it
        var started = lines.LastOrDefault(l => l.StartsWith("worker ", StringComparison.Ordinal) && l.Contains(": ", StringComparison.Ordinal));
        if (started != null && !started.EndsWith(" s", StringComparison.Ordinal) && !started.EndsWith(" computed", StringComparison.Ordinal))
            unit = started[(started.IndexOf(": ", StringComparison.Ordinal) + 2)..];
        var parts = new List<string>();
        int crash = LastIndex(lines, l => l.StartsWith(CrashHeader, StringComparison.Ordinal));
        if (crash >= 0)
        {
            var message = lines.Skip(crash + 1).TakeWhile(l => !l.StartsWith("   at ", StringComparison.Ordinal)).ToList();
            var frames = lines.Skip(crash + 1 + message.Count).TakeWhile(l => l.StartsWith("   at ", StringComparison.Ordinal)).ToList();
            if (message.Count > MessageLines)
                message = message.Take(MessageLines).Append($"   … ({message.Count - MessageLines} more lines of the message in the log)").ToList();
            parts.Add(lines[crash]);
            parts.AddRange(message);
            parts.AddRange(frames.Take(3));
            if (frames.Count > 3) parts.Add($"   … ({frames.Count - 3} more frames in the log)");
        }
        else
        {
            var error = lines.LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal));
            if (error != null) parts.Add(error);
            else parts.AddRange(lines.TakeLast(TailLines));
        }
        return (unit == null ? "its log says:\n" : $"it was computing {unit}:\n") + string.Join("\n", parts);
    }

    static int LastIndex(IReadOnlyList<string> lines, Func<string, bool> match)
    {
        for (int i = lines.Count - 1; i >= 0; i--) if (match(lines[i])) return i;
        return -1;
    }
}
