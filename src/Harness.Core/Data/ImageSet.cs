using Harness.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Data;

/// <summary>
/// Labelled images in memory: pixels as bytes in N×C×H×W order (channel planes, rows, columns) and
/// integer labels 0..classes−1. Converted to float tensors in [0, 1] on demand.
/// </summary>
public sealed class ImageSet
{
    public ImageSet(byte[] pixels, long[] labels, int channels, int height, int width, int classes = 10)
    {
        if (pixels.LongLength != (long)labels.Length * channels * height * width)
            throw new ArgumentException($"pixel count {pixels.LongLength} is not {labels.Length}×{channels}×{height}×{width}");
        Pixels = pixels; Labels = labels; Channels = channels; Height = height; Width = width; Classes = classes;
    }

    public byte[] Pixels { get; }
    public long[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    public int Count => Labels.Length;
    public int PixelsPerImage => Channels * Height * Width;

    /// <summary>Pixel (channel, row, column) of image i.</summary>
    public byte Pixel(int i, int c, int r, int col) => Pixels[(long)i * PixelsPerImage + (c * Height + r) * Width + col];

    public ImageSet Subset(IReadOnlyList<int> indices)
    {
        int p = PixelsPerImage;
        var px = new byte[(long)indices.Count * p];
        var lb = new long[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            Array.Copy(Pixels, (long)indices[k] * p, px, (long)k * p, p);
            lb[k] = Labels[indices[k]];
        }
        return new ImageSet(px, lb, Channels, Height, Width, Classes);
    }

    /// <summary>SHA-256 of the pixels, labels and shape: identifies the exact training data in cache keys.</summary>
    public string Fingerprint()
    {
        using var h = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        h.AppendData(System.Text.Encoding.ASCII.GetBytes($"{Count}x{Channels}x{Height}x{Width}/{Classes}"));
        h.AppendData(Pixels);
        h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Labels.AsSpan()));
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    public ImageSet Take(int n) => n >= Count ? this : Subset(Enumerable.Range(0, n).ToArray());

    /// <summary>All images as a float32 N×C×H×W tensor scaled to [0, 1].</summary>
    public Tensor ImagesTensor(Device? device = null)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var t = tensor(Pixels, new long[] { Count, Channels, Height, Width }, dtype: ScalarType.Byte)
            .to(ScalarType.Float32).div_(held.Of(255f));
        if (device != null) t = t.to(device);
        return t.MoveToOuterDisposeScope();
    }

    public Tensor LabelsTensor(Device? device = null)
    {
        var t = tensor(Labels, dtype: ScalarType.Int64);
        return device == null ? t : t.to(device);
    }
}

/// <summary>
/// A data set split as the paper uses it: train (D_t, what is scored and unlearned), validation, test; and the canaries,
/// where D_t has them (<see cref="Data.Canaries"/>: their labels in <see cref="Train"/> are the wrong ones they were given).
/// </summary>
public sealed record DataSplits(string Name, ImageSet Train, ImageSet Validation, ImageSet Test, int[] TrainSourceIndex, CanarySet? Canaries = null);
