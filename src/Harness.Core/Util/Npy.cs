using System.Runtime.InteropServices;
using System.Text;

namespace Harness.Util;

/// <summary>NumPy .npy files (format 1.0, little-endian, C order), so anyone can check outputs with numpy.load.</summary>
public static class Npy
{
    public static void Write<T>(string path, ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        string descr = Descr<T>();
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
        }, 10 + header.Length + bytes.Length);
    }

    /// <summary>
    /// Reads a 1.0 .npy file written by <see cref="Write{T}"/> (or numpy), checking what it claims against what is expected:
    /// the dtype (`descr`) must be T's little-endian code, `fortran_order` False, and the shape as <paramref name="expectedShape"/>
    /// (its length is the number of dimensions; −1 accepts any size in that dimension). Anything else is an error naming the file.
    /// </summary>
    public static (long[] Shape, T[] Data) Read<T>(string path, params long[] expectedShape) where T : unmanaged
    {
        if (!File.Exists(path)) throw new HarnessException($"{path}: not found.");
        var b = File.ReadAllBytes(path);
        if (b.Length < 10 || b[0] != 0x93 || Encoding.ASCII.GetString(b, 1, 5) != "NUMPY") throw new HarnessException($"{path}: not a .npy file.");
        if (b[6] != 1) throw new HarnessException($"{path}: .npy format version {b[6]}.{b[7]}; only 1.0 is read.");
        int hlen = BitConverter.ToUInt16(b, 8);
        if (10 + hlen > b.Length) throw new HarnessException($"{path}: truncated header.");
        string header = Encoding.ASCII.GetString(b, 10, hlen);
        string want = Descr<T>();
        string descr = Field(header, "descr", path).Trim('\'', '"');
        if (descr != want) throw new HarnessException($"{path}: dtype '{descr}', expected '{want}' ({typeof(T).Name}).");
        if (Field(header, "fortran_order", path) != "False") throw new HarnessException($"{path}: Fortran (column-major) order; expected C order.");
        int s0 = header.IndexOf("'shape': (", StringComparison.Ordinal);
        if (s0 < 0) throw new HarnessException($"{path}: header has no shape.");
        s0 += 10;
        int s1 = header.IndexOf(')', s0);
        long[] shape;
        try { shape = header[s0..s1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => long.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new HarnessException($"{path}: unreadable shape '({header[s0..s1]})'."); }
        if (expectedShape.Length > 0 && (shape.Length != expectedShape.Length || shape.Zip(expectedShape).Any(p => p.Second >= 0 && p.First != p.Second)))
            throw new HarnessException($"{path}: shape ({string.Join(", ", shape)}), expected ({string.Join(", ", expectedShape.Select(e => e < 0 ? "any" : e.ToString(System.Globalization.CultureInfo.InvariantCulture)))}).");
        long count = shape.Aggregate(1L, (a, x) => a * x);
        long bytes = (long)b.Length - 10 - hlen;
        if (bytes != count * System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
            throw new HarnessException($"{path}: {bytes} data bytes for shape ({string.Join(", ", shape)}) of {typeof(T).Name}; the file is truncated or corrupt.");
        var data = MemoryMarshal.Cast<byte, T>(b.AsSpan(10 + hlen)).ToArray();
        return (shape, data);
    }

    static string Descr<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? "<f4" : typeof(T) == typeof(double) ? "<f8"
        : typeof(T) == typeof(int) ? "<i4" : typeof(T) == typeof(long) ? "<i8" : throw new NotSupportedException(typeof(T).Name);

    static string Field(string header, string name, string path)
    {
        int i = header.IndexOf($"'{name}':", StringComparison.Ordinal);
        if (i < 0) throw new HarnessException($"{path}: header has no '{name}'.");
        i += name.Length + 3;
        int j = header.IndexOf(',', i);
        return header[i..(j < 0 ? header.Length : j)].Trim();
    }
}
