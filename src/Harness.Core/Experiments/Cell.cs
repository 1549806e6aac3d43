using Harness.Runs;

namespace Harness.Experiments;

/// <summary>Which end of a score's ranking a cell's target comes from.</summary>
[ChoiceOf("side")] public enum Side { Easy, Hard }

/// <summary>
/// One cell of a matrix, named by content: `mnist/joint-dimension/emsksd/hard/t3/gradascent/k100/s0` (the kernel profile,
/// see <see cref="Scoring.KernelProfile"/>; t3 = the fourth point on that side).
/// </summary>
public sealed record Cell(string Matrix, string Dataset, string Kernel, string Scorer, Side Side, int Slot, string Unlearner, int Expansion, int Seed)
{
    public string Id => $"{Dataset}/{Kernel}/{Scorer}/{SideName}/t{Slot}/{Unlearner}/k{Expansion}/s{Seed}";

    public string SideName => Choice.Name(Side);

    /// <summary>The cell's result file under the results root.</summary>
    public string ResultPath(string resultsRoot) => new ResultsLayout(resultsRoot).Cell(Matrix, Id);

    /// <summary>Stable shard of this cell: FNV-1a of its id modulo the shard count, so reordering the YAML moves nothing.</summary>
    public int Shard(int count) => Sharding.Of(Id, count);

    public override string ToString() => Id;
}

public static class Matrices
{
    /// <summary>Every cell of a matrix, in axis order.</summary>
    public static IReadOnlyList<Cell> Cells(MatrixSpec m) =>
        (from d in m.Datasets
         from seed in m.Seeds
         from kernel in m.Kernels.Select(Scoring.KernelProfile.Label)
         from scorer in m.Scorers
         from side in m.Sides
         from t in Enumerable.Range(0, m.Points)
         from u in m.Unlearners
         from k in m.Expansions
         select new Cell(m.Name, d, kernel, scorer, side, t, u, k, seed)).ToList();
}
