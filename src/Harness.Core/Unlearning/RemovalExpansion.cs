using Harness.Scoring;
using static TorchSharp.torch;

namespace Harness.Unlearning;

/// <summary>Removal expansion (paper Sec. 5.3): the forget set of a target i is {i} ∪ the k points j ≠ i with the largest κ(i,j).</summary>
public static class RemovalExpansion
{
    public static void Check(int target, int k, int n)
    {
        if (target < 0 || target >= n)
            throw new HarnessException($"target {target} is out of range: the training set has {n} points (indices 0..{n - 1}).");
        if (k < 0) throw new HarnessException($"expansion size k = {k} must be 0 or more.");
        if (k > n - 1) throw new HarnessException($"expansion size k = {k} is more than the {n - 1} other training points.");
    }

    /// <summary>
    /// The one forget-set builder: the requested points, then each one's top-k neighbours in rank order, each point once
    /// (a neighbour list's −1 entries, which only a row with NaN values has, are skipped). Cells, the study's expansion
    /// probe and `harness forget` all build their forget sets here.
    /// </summary>
    public static int[] ForgetSet(IReadOnlyList<int> request, Func<int, ReadOnlyMemory<int>> neighbors, int k)
    {
        var set = new List<int>(request);
        var seen = new HashSet<int>(request);
        foreach (int i in request)
        {
            var row = neighbors(i).Span;
            if (k > row.Length) throw new HarnessException($"expansion k = {k} needs {k} neighbours; the scores keep {row.Length} per point (raise top_k: `scoring.top_k` in experiments.yaml, `--top-k` on the command line).");
            foreach (int j in row[..k]) if (j >= 0 && seen.Add(j)) set.Add(j);
        }
        return set.ToArray();
    }

    /// <summary>{target} ∪ the first k of its neighbour list (an n×K table of a scoring run, K ≥ k).</summary>
    public static int[] FromNeighbors(int[] neighbors, int keep, int target, int k) =>
        ForgetSet(new[] { target }, i => neighbors.AsMemory(i * keep, keep), k);

    /// <summary>From a scoring run's neighbors/indices.npy, when it kept at least k neighbours per point; null otherwise.</summary>
    public static int[]? FromNeighborsFile(string indicesPath, int target, int k, int n)
    {
        Check(target, k, n);
        if (!File.Exists(indicesPath)) return null;
        var (shape, idx) = Npy.Read<int>(indicesPath, n, -1);
        if (shape[1] < k) return null;
        return FromNeighbors(idx, (int)shape[1], target, k);
    }

    /// <summary>Computes row <paramref name="target"/> of κ (one 1×n block) and takes its top k.</summary>
    public static int[] Compute(BaseKernel kernel, Tensor x, Tensor s, int target, int k)
    {
        int n = (int)x.shape[0];
        Check(target, k, n);
        if (k == 0) return new[] { target };
        using var scope = NewDisposeScope();
        using var prepared = kernel.Prepare(x.contiguous(), s.contiguous());
        var row = kernel.SteinBlock(prepared, target, 1).squeeze(0);
        row[target] = tensor(float.NegativeInfinity, dtype: row.dtype);
        var (_, indices) = row.topk(k);
        return new[] { target }.Concat(indices.to(ScalarType.Int32).data<int>().ToArray()).ToArray();
    }
}
