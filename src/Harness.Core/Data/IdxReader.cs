using System.Buffers.Binary;
using System.IO.Compression;

namespace Harness.Data;

/// <summary>The idx format of MNIST and Fashion-MNIST: big-endian magic (0x0000_08_dims for unsigned bytes), dimensions, then data.</summary>
public static class IdxReader
{
    public static (byte[] Data, int[] Dims) Read(string path, int expectedDims)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "file not found.");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) bytes = Gunzip(path, bytes);
        if (bytes.Length < 4) throw new DataFormatException(path, $"truncated idx file: {bytes.Length} bytes, no header.");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        uint expectedMagic = 0x0800u | (uint)expectedDims;
        if (magic != expectedMagic)
            throw new DataFormatException(path, $"wrong idx magic number 0x{magic:X8}; expected 0x{expectedMagic:X8} (unsigned bytes, {expectedDims} dimension(s)). Is this the right file?");
        int header = 4 + 4 * expectedDims;
        if (bytes.Length < header) throw new DataFormatException(path, $"truncated idx file: {bytes.Length} bytes, header needs {header}.");
        var dims = new int[expectedDims];
        long count = 1;
        for (int k = 0; k < expectedDims; k++)
        {
            dims[k] = checked((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * k)));
            count *= dims[k];
        }
        if (bytes.Length != header + count)
            throw new DataFormatException(path, bytes.Length < header + count
                ? $"truncated idx file: {bytes.Length} bytes, dimensions [{string.Join("×", dims)}] need {header + count}. Fetch it again (make data)."
                : $"idx file has {bytes.Length - header - count} bytes beyond its dimensions [{string.Join("×", dims)}].");
        return (bytes[header..], dims);
    }

    static byte[] Gunzip(string path, byte[] gz)
    {
        try
        {
            using var z = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            z.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"truncated or corrupt gzip stream: {e.Message}");
        }
    }

    /// <summary>Reads an images file (3 dims) and its labels file (1 dim) into one single-channel set.</summary>
    public static ImageSet ReadPair(string imagesPath, string labelsPath, int classes = 10)
    {
        var (pixels, idims) = Read(imagesPath, 3);
        var (labels, ldims) = Read(labelsPath, 1);
        if (idims[0] != ldims[0])
            throw new DataFormatException(labelsPath, $"label/image count mismatch: {ldims[0]} labels for {idims[0]} images in {imagesPath}.");
        var y = new long[labels.Length];
        for (int i = 0; i < y.Length; i++)
        {
            if (labels[i] >= classes) throw new DataFormatException(labelsPath, $"label {labels[i]} at record {i} is outside 0..{classes - 1}.");
            y[i] = labels[i];
        }
        return new ImageSet(pixels, y, 1, idims[1], idims[2], classes);
    }
}
