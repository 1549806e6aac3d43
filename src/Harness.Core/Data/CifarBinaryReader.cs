namespace Harness.Data;

/// <summary>CIFAR-10 "binary version": records of 1 label byte + 3,072 pixel bytes (red, green, blue planes, each row-major 32×32).</summary>
public static class CifarBinaryReader
{
    public const int RecordBytes = 1 + 3 * 32 * 32;

    public static ImageSet Read(IEnumerable<string> paths)
    {
        var pixels = new List<byte[]>();
        var labels = new List<long>();
        foreach (var path in paths)
        {
            if (!File.Exists(path)) throw new DataFormatException(path, "file not found.");
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
                throw new DataFormatException(path, $"length {bytes.Length} is not a multiple of {RecordBytes} (1 label byte + 3,072 pixels per record): truncated or not the CIFAR-10 binary version.");
            for (int r = 0; r < bytes.Length / RecordBytes; r++)
            {
                int o = r * RecordBytes;
                if (bytes[o] > 9) throw new DataFormatException(path, $"label {bytes[o]} at record {r} is outside 0..9.");
                labels.Add(bytes[o]);
                pixels.Add(bytes.AsSpan(o + 1, RecordBytes - 1).ToArray());
            }
        }
        var all = new byte[pixels.Count * (RecordBytes - 1)];
        for (int i = 0; i < pixels.Count; i++) pixels[i].CopyTo(all, i * (RecordBytes - 1));
        return new ImageSet(all, labels.ToArray(), 3, 32, 32);
    }
}
