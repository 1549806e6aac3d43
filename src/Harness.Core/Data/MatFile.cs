using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Harness.Data;

/// <summary>One numeric variable of a MAT-file: name, dimensions (column-major, as MATLAB stores them) and its real part.</summary>
public sealed class MatArray
{
    internal MatArray(string name, int[] dims, int storageType, byte[] data)
    { Name = name; Dims = dims; StorageType = storageType; Data = data; }

    public string Name { get; }
    public int[] Dims { get; }
    /// <summary>The MAT miXXX type of <see cref="Data"/> (2 = miUINT8, 9 = miDOUBLE, …).</summary>
    public int StorageType { get; }
    public byte[] Data { get; }
    public long Count => Dims.Aggregate(1L, (a, d) => a * d);

    public double this[long i] => StorageType switch
    {
        MatFile.MiInt8 => (sbyte)Data[i],
        MatFile.MiUInt8 => Data[i],
        MatFile.MiInt16 => BinaryPrimitives.ReadInt16LittleEndian(Data.AsSpan((int)(2 * i))),
        MatFile.MiUInt16 => BinaryPrimitives.ReadUInt16LittleEndian(Data.AsSpan((int)(2 * i))),
        MatFile.MiInt32 => BinaryPrimitives.ReadInt32LittleEndian(Data.AsSpan((int)(4 * i))),
        MatFile.MiUInt32 => BinaryPrimitives.ReadUInt32LittleEndian(Data.AsSpan((int)(4 * i))),
        MatFile.MiSingle => BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan((int)(4 * i))),
        MatFile.MiDouble => BinaryPrimitives.ReadDoubleLittleEndian(Data.AsSpan((int)(8 * i))),
        MatFile.MiInt64 => BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan((int)(8 * i))),
        MatFile.MiUInt64 => BinaryPrimitives.ReadUInt64LittleEndian(Data.AsSpan((int)(8 * i))),
        _ => throw new InvalidOperationException($"MAT storage type {StorageType}"),
    };
}

/// <summary>
/// The subset of MATLAB 5 MAT-files (level 5, little-endian) that the SVHN files need: numeric matrices,
/// stored plainly or in zlib-compressed (miCOMPRESSED) data elements. Cells, structs, sparse and complex arrays are rejected.
/// </summary>
public static class MatFile
{
    public const int MiInt8 = 1, MiUInt8 = 2, MiInt16 = 3, MiUInt16 = 4, MiInt32 = 5, MiUInt32 = 6,
        MiSingle = 7, MiDouble = 9, MiInt64 = 12, MiUInt64 = 13, MiMatrix = 14, MiCompressed = 15;

    static int ElementSize(int type) => type switch
    {
        MiInt8 or MiUInt8 => 1, MiInt16 or MiUInt16 => 2, MiInt32 or MiUInt32 or MiSingle => 4,
        MiDouble or MiInt64 or MiUInt64 => 8, _ => 0,
    };

    public static Dictionary<string, MatArray> Read(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "file not found.");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 128) throw new DataFormatException(path, $"truncated MAT-file: {bytes.Length} bytes, the header alone is 128.");
        if (!Encoding.ASCII.GetString(bytes, 0, 6).StartsWith("MATLAB", StringComparison.Ordinal))
            throw new DataFormatException(path, "not a MATLAB 5 MAT-file (header does not start with 'MATLAB'). MATLAB 7.3 (HDF5) files are not supported: resave with -v7.");
        if (bytes[126] != (byte)'I' || bytes[127] != (byte)'M')
            throw new DataFormatException(path, "big-endian MAT-files are not supported.");
        var result = new Dictionary<string, MatArray>(StringComparer.Ordinal);
        ReadElements(path, bytes, 128, bytes.Length, result);
        return result;
    }

    static void ReadElements(string path, byte[] b, int pos, int end, Dictionary<string, MatArray> into)
    {
        while (pos + 8 <= end)
        {
            var (type, n, dataAt, next) = Tag(path, b, pos, end);
            if (type == MiCompressed)
            {
                byte[] inflated;
                try
                {
                    using var z = new ZLibStream(new MemoryStream(b, dataAt, n), CompressionMode.Decompress);
                    using var ms = new MemoryStream();
                    z.CopyTo(ms);
                    inflated = ms.ToArray();
                }
                catch (InvalidDataException e)
                {
                    throw new DataFormatException(path, $"corrupt compressed data element at byte {pos}: {e.Message}");
                }
                ReadElements(path, inflated, 0, inflated.Length, into);
                pos = dataAt + n; // compressed elements are not padded
                continue;
            }
            if (type == MiMatrix && n > 0)
            {
                var a = ReadMatrix(path, b, dataAt, dataAt + n);
                if (a != null) into[a.Name] = a;
            }
            pos = next;
        }
    }

    /// <summary>Parses a tag: (type, byte count, where the data starts, where the next element starts).</summary>
    static (int Type, int N, int DataAt, int Next) Tag(string path, byte[] b, int pos, int end)
    {
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos));
        if ((first >> 16) != 0) // small data element: 2-byte count, 2-byte type, 4 data bytes
            return ((int)(first & 0xFFFF), (int)(first >> 16), pos + 4, pos + 8);
        int n = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(pos + 4)));
        int dataAt = pos + 8;
        if ((long)dataAt + n > end)
            throw new DataFormatException(path, $"truncated MAT-file: a data element at byte {pos} needs {n} bytes, only {end - dataAt} remain.");
        int padded = (int)first == MiCompressed ? n : (n + 7) & ~7;
        return ((int)first, n, dataAt, Math.Min(end, dataAt + padded));
    }

    static MatArray? ReadMatrix(string path, byte[] b, int pos, int end)
    {
        var (ft, fn, fAt, fNext) = Tag(path, b, pos, end);
        if (ft != MiUInt32 || fn < 8) throw new DataFormatException(path, $"malformed array flags at byte {pos}.");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(fAt));
        int cls = (int)(flags & 0xFF);
        bool complex = (flags & 0x800) != 0;
        var (dt, dn, dAt, dNext) = Tag(path, b, fNext, end);
        if (dt != MiInt32) throw new DataFormatException(path, $"malformed dimensions at byte {fNext}.");
        var dims = new int[dn / 4];
        for (int k = 0; k < dims.Length; k++) dims[k] = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(dAt + 4 * k));
        var (nt, nn, nAt, nNext) = Tag(path, b, dNext, end);
        if (nt != MiInt8) throw new DataFormatException(path, $"malformed array name at byte {dNext}.");
        string name = Encoding.ASCII.GetString(b, nAt, nn);
        if (cls < 6 || cls > 15 || complex) return null; // cell, struct, char, sparse, complex: not needed here
        var (rt, rn, rAt, _) = Tag(path, b, nNext, end);
        int size = ElementSize(rt);
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (size == 0) throw new DataFormatException(path, $"variable '{name}' uses unsupported storage type {rt}.");
        if ((long)rn != count * size)
            throw new DataFormatException(path, $"variable '{name}' holds {rn} bytes, dimensions [{string.Join("×", dims)}] need {count * size}: truncated or corrupt.");
        return new MatArray(name, dims, rt, b.AsSpan(rAt, rn).ToArray());
    }
}
