namespace Harness.Data;

/// <summary>SVHN cropped digits (`*_32x32.mat`): X is 32×32×3×N uint8, column-major; y is N×1 with label 10 meaning digit 0.</summary>
public static class SvhnReader
{
    public static ImageSet Read(string path)
    {
        var vars = MatFile.Read(path);
        if (!vars.TryGetValue("X", out var x))
            throw new DataFormatException(path, $"no variable 'X' (found: {string.Join(", ", vars.Keys.DefaultIfEmpty("none"))}). SVHN cropped-digit files hold X (32×32×3×N) and y (N×1).");
        if (!vars.TryGetValue("y", out var y))
            throw new DataFormatException(path, $"no variable 'y' (found: {string.Join(", ", vars.Keys)}).");
        if (x.Dims.Length != 4 || x.Dims[2] != 3 || x.StorageType != MatFile.MiUInt8)
            throw new DataFormatException(path, $"X has dimensions [{string.Join("×", x.Dims)}] stored as type {x.StorageType}; expected H×W×3×N uint8.");
        int h = x.Dims[0], w = x.Dims[1], n = x.Dims[3];
        if (y.Count != n) throw new DataFormatException(path, $"label/image count mismatch: y has {y.Count} labels for {n} images.");
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            double v = y[i];
            if (v < 0 || v > 10 || v != Math.Floor(v)) throw new DataFormatException(path, $"y[{i}] = {v} is not a digit label 1..10.");
            labels[i] = v == 10 ? 0 : (long)v;
        }
        // Column-major X(r, c, ch, i) sits at r + h·c + h·w·ch + h·w·3·i; we store i, ch, r, c (row-major planes).
        var src = x.Data;
        var pixels = new byte[(long)n * 3 * h * w];
        int plane = h * w;
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < 3; ch++)
            {
                long so = (long)i * 3 * plane + (long)ch * plane;
                long d0 = (long)i * 3 * plane + (long)ch * plane;
                for (int c = 0; c < w; c++)
                    for (int r = 0; r < h; r++)
                        pixels[d0 + r * w + c] = src[so + r + (long)h * c];
            }
        return new ImageSet(pixels, labels, 3, h, w);
    }
}
