using System.Text.RegularExpressions;

namespace Harness.Util;

/// <summary>
/// Failures of the machine rather than of the harness or the user's input: a full disk or quota, a read-only file
/// system, a permission refused, a path whose folder is a file. They end a command with one `error:` line naming the
/// path and what to do, and exit code <see cref="ExitCode"/> (EX_IOERR), never as a crash; whatever finished before is
/// kept (every result file is written whole or not at all) and a rerun continues from it.
/// </summary>
public static partial class EnvironmentErrors
{
    /// <summary>EX_IOERR from sysexits.h.</summary>
    public const int ExitCode = 74;

    /// <summary>The one-line description of an environment failure inside <paramref name="e"/>, or null when it is none.</summary>
    public static string? Describe(Exception e)
    {
        foreach (var inner in Flatten(e))
        {
            string message = inner.Message;
            string? path = PathIn(message);
            string where = path == null ? "" : $" ({path})";
            switch (inner)
            {
                case UnauthorizedAccessException:
                    return $"permission denied: {message} Make the folder writable, or point the harness elsewhere (--results, HARNESS_RESULTS, HARNESS_CACHE, HARNESS_SCRATCH).";
                case IOException when Has(message, "No space left on device", "Disk quota exceeded"):
                    return $"the disk is full{where}: {Needed(message)}{FreeSpace(path)}Free some space (or point the harness at another disk) and run the same command again: finished work is kept.";
                case IOException when Has(message, "Read-only file system"):
                    return $"the file system is read-only{where}. Point the harness at a writable folder (--results, HARNESS_RESULTS, HARNESS_CACHE, HARNESS_SCRATCH).";
                case IOException when Has(message, "Permission denied", "Operation not permitted"):
                    return $"permission denied{where}. Make the folder writable, or point the harness elsewhere (--results, HARNESS_RESULTS, HARNESS_CACHE, HARNESS_SCRATCH).";
                case DirectoryNotFoundException when path != null && FileAbove(path) is { } file:
                    return $"a file is in the way: {file} is a file, so {path} cannot be made. Move it, or point the harness at another folder.";
                case IOException when Has(message, "Not a directory", "Is a directory"):
                    return $"a file is in the way{where}: {message} Move the file or folder that stands there.";
            }
        }
        return null;
    }

    static IEnumerable<Exception> Flatten(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
        {
            if (x is AggregateException a)
            {
                foreach (var inner in a.InnerExceptions)
                    foreach (var y in Flatten(inner)) yield return y;
                yield break;
            }
            yield return x;
        }
    }

    /// <summary>The nearest existing ancestor of <paramref name="path"/> when it is a file (ENOTDIR), else null.</summary>
    static string? FileAbove(string path)
    {
        for (var p = Path.GetDirectoryName(path); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p)) return p;
            if (Directory.Exists(p)) return null;
        }
        return null;
    }

    /// <summary>Whether <paramref name="e"/> is the file system saying it is full (ENOSPC, EDQUOT).</summary>
    public static bool IsDiskFull(IOException e) => Has(e.Message, "No space left on device", "Disk quota exceeded");

    /// <summary>"N bytes needed; " from <see cref="AtomicFile"/>'s "(writing N bytes)", or nothing where the size was not known.</summary>
    static string Needed(string message) => WritingBytes().Match(message) is { Success: true } m ? $"{m.Groups[1].Value} bytes needed, " : "";

    [GeneratedRegex(@"\(writing ([0-9,]+) bytes\)")]
    private static partial Regex WritingBytes();

    static bool Has(string message, params string[] phrases) => phrases.Any(p => message.Contains(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first quoted path in .NET's I/O messages ("… : '/path'", "Access to the path '/path' is denied.").</summary>
    static string? PathIn(string message) => QuotedPath().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("'(/[^']*)'")]
    private static partial Regex QuotedPath();

    /// <summary>"N bytes available on the file system of PATH. " from the nearest existing folder, or nothing where it cannot tell.</summary>
    static string FreeSpace(string? path)
    {
        try
        {
            var dir = path == null ? null : Directory.Exists(path) ? path : Path.GetDirectoryName(path);
            while (dir != null && !Directory.Exists(dir)) dir = Path.GetDirectoryName(dir);
            if (dir == null) return "";
            long free = new DriveInfo(dir).AvailableFreeSpace;
            return $"{free:N0} bytes available on the file system of {dir}. ";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return ""; }
    }
}

/// <summary>An environment failure met by another process (a worker) and reported here: exits <see cref="EnvironmentErrors.ExitCode"/> too.</summary>
public sealed class EnvironmentFailureException(string message) : HarnessException(message);
