using System.Diagnostics;
using System.Globalization;

namespace Harness.Util;

/// <summary>
/// A lock shared by processes through a file created atomically (CreateNew) beside the work it guards, so that when
/// several shards start together on one cache each trained model and each score set is computed once: the owner works,
/// the others wait and then reuse its result. The owner touches the file every 10 s; a lock whose owner process is gone
/// (same host) or whose file has not been touched for 2 minutes (any host) is taken over.
/// </summary>
public sealed class FileLock : IDisposable
{
    readonly string path;
    readonly FileStream stream;
    readonly Timer heartbeat;

    FileLock(string path, FileStream stream)
    {
        this.path = path; this.stream = stream;
        heartbeat = new Timer(_ => { try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); } catch (IOException) { } catch (UnauthorizedAccessException) { } },
            null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    public static TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Waits until this process holds the lock at <paramref name="path"/>; <paramref name="what"/> names the work in messages.</summary>
    public static FileLock Acquire(string path, string what, Action<string> log)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        bool told = false;
        while (true)
        {
            try
            {
                var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
                var me = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {Environment.MachineName} {DateTime.UtcNow:O}\n");
                fs.Write(System.Text.Encoding.UTF8.GetBytes(me));
                fs.Flush(true);
                if (told) log($"{what}: lock acquired");
                return new FileLock(path, fs);
            }
            catch (IOException) when (File.Exists(path))
            {
                string owner = ReadOwner(path);
                if (Abandoned(path, owner) is { } why)
                {
                    log($"{what}: taking over {path} ({why})");
                    if (ReadOwner(path) == owner) TryDelete(path);
                    continue;
                }
                if (!told) log($"{what}: another process is on it ({path}: {owner.Trim()}); waiting for it to finish");
                told = true;
                Thread.Sleep(500);
            }
        }
    }

    static string ReadOwner(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return ""; }
    }

    /// <summary>Why a lock may be taken over: its owner died on this host, or it has not been touched for <see cref="StaleAfter"/>.</summary>
    static string? Abandoned(string path, string owner)
    {
        var parts = owner.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 2 && parts[1] == Environment.MachineName && int.TryParse(parts[0], out int pid) && !Alive(pid))
            return $"its owner, process {pid}, is gone";
        var age = DateTime.UtcNow - File.GetLastWriteTimeUtc(path);
        if (File.Exists(path) && age > StaleAfter) return $"not touched for {age.TotalSeconds:F0} s";
        return null;
    }

    /// <summary>Whether process <paramref name="pid"/> of this machine is still running.</summary>
    internal static bool Alive(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }

    public void Dispose()
    {
        heartbeat.Dispose();
        stream.Dispose();
        TryDelete(path);
    }
}
