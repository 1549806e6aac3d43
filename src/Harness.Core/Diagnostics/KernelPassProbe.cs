using Harness.Numerics;
using Harness.Scoring;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace Harness.Diagnostics;

/// <summary>
/// `harness numerics`'s probes of the kernel pass's own code, on exact 24-bit inputs (the same bits on every machine):
/// the products (<see cref="FmaGemm"/>, a 509×794 by 2041×794 block starting off the tile grid) once per vector width
/// this CPU has, plus one hash that is the common one when every width agrees (what machines compare) or says which
/// differ; and a whole symmetric pass (n = 2,048, d = 794, 256-row blocks, so the spill and the mirror are used) giving
/// MKSD, log MSKSD, the row statistics and the top-100 neighbours.
/// </summary>
public static unsafe class KernelPassProbe
{
    public static SortedDictionary<string, string> Run(int threads)
    {
        const int n = 2048, d = 794;
        var x = Exact(n * d, 1);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);

        const int rowStart = 3, rows = 509, colStart = 5, cols = 2041;
        var c = new float[rows * cols];
        string products = $"harness FmaGemm {rows}x{d} · {cols}x{d}ᵀ";
        fixed (float* px = x, pc = c)
        {
            using var packed = new PackedRows(px, n, d);
            foreach (var width in Enum.GetValues<FmaWidth>().Where(FmaGemm.Supported))
            {
                FmaGemm.Products(packed, rowStart, rows, packed, colStart, cols, pc, cols, threads, width);
                hashes[$"{products}, {width}"] = Hash(MemoryMarshal.AsBytes(c.AsSpan()));
            }
        }
        var widths = hashes.Where(h => h.Key.StartsWith(products + ",", StringComparison.Ordinal)).ToList();
        var distinct = widths.Select(h => h.Value).Distinct().ToList();
        hashes[$"{products} (kernel pass products, every width)"] =
            distinct.Count == 1 ? distinct[0] : "widths differ: " + string.Join(", ", widths.Select(h => $"{h.Key[(products.Length + 2)..]} {h.Value}"));

        using (var scope = NewDisposeScope())
        using (var held = new HeldScalars())
        {
            var xt = tensor(x, new long[] { n, d });
            var st = tensor(Exact(n * d, 2), new long[] { n, d }).mul(held.Of(0.25f));
            var options = new ScoringOptions { BlockSize = 256, TopK = 100, Scratch = Path.GetTempPath() };
            var stats = SymmetricKernelPass.Run(new RbfKernel(28.0), xt, st, options);
            hashes["harness symmetric kernel pass n 2048, d 794, blocks of 256 (MKSD, log MSKSD, row mean, sd)"] =
                Hash(MemoryMarshal.AsBytes(stats.Mksd.Concat(stats.LogMsksd).Concat(stats.RowMean).Concat(stats.RowSd).ToArray().AsSpan()));
            hashes["harness symmetric kernel pass n 2048, d 794, blocks of 256 (top-100 neighbours and κ)"] =
                Hash(MemoryMarshal.AsBytes(stats.NeighborIndex.AsSpan())) + Hash(MemoryMarshal.AsBytes(stats.NeighborValue.AsSpan()))[..8];
        }
        return hashes;
    }

    /// <summary>k·2⁻²² − 2 for a seeded 24-bit integer sequence k: exactly representable, full mantissas.</summary>
    static float[] Exact(int count, uint seed)
    {
        var data = new float[count];
        uint s = seed * 0x9E3779B1u + 1;
        for (int i = 0; i < count; i++) { s = s * 1664525u + 1013904223u; data[i] = (s >> 8) * (1f / (1 << 22)) - 2f; }
        return data;
    }

    static string Hash(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
}
