using System.Runtime.InteropServices;
using System.Text;

namespace Harness.Util;

/// <summary>NumPy .npy files (format 1.0, little-endian, C order), so anyone can check outputs with numpy.load.</summary>
public static class Npy
{
    public static void Write<T>(string path, ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        string descr = typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(double) ? "<f8"
            : typeof(T) == typeof(int) ? "<i4" : typeof(T) == typeof(long) ? "<i8" : throw new NotSupportedException(typeof(T).Name);
        if (shape.Aggregate(1L, (a, b) => a * b) != data.Length) throw new ArgumentException("shape does not match data length");
        string shp = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shp}, }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        var header = Encoding.ASCII.GetBytes(dict + new string(' ', pad) + "\n");
        var bytes = MemoryMarshal.AsBytes(data).ToArray();
        AtomicFile.Write(path, tmp =>
        {
            using var f = File.Create(tmp);
            f.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
            f.Write(BitConverter.GetBytes((ushort)header.Length));
            f.Write(header);
            f.Write(bytes);
        });
    }

    /// <summary>Reads a 1.0 .npy file written by <see cref="Write{T}"/> (or numpy): shape and raw little-endian data.</summary>
    public static (long[] Shape, T[] Data) Read<T>(string path) where T : unmanaged
    {
        var b = File.ReadAllBytes(path);
        if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY") throw new HarnessException($"{path}: not a .npy file.");
        int hlen = BitConverter.ToUInt16(b, 8);
        string header = Encoding.ASCII.GetString(b, 10, hlen);
        int s0 = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10, s1 = header.IndexOf(')', s0);
        var shape = header[s0..s1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var data = MemoryMarshal.Cast<byte, T>(b.AsSpan(10 + hlen)).ToArray();
        return (shape, data);
    }
}
