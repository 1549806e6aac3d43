using System.Text;

namespace Harness.Util;

/// <summary>Writes a file so that readers see either the old content or the complete new one: temp file, then rename.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) =>
        Write(path, tmp => File.WriteAllText(tmp, text, new UTF8Encoding(false)), new UTF8Encoding(false).GetByteCount(text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes), bytes.Length);

    /// <param name="bytes">the size of what is written, where known: a full disk's error then says how much was needed.</param>
    public static void Write(string path, Action<string> writeTemp, long? bytes = null)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            writeTemp(tmp);
            File.Move(tmp, path, overwrite: true);
        }
        catch (IOException e) when (bytes is long needed && EnvironmentErrors.IsDiskFull(e))
        {
            throw new IOException($"No space left on device : '{Path.GetFullPath(path)}' (writing {needed:N0} bytes)", e);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
