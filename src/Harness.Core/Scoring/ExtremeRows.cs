using Harness.Scoring.Scorers;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// One extreme point of a scorer (among the candidates) and its row of κ against every training point (paper Figure 3),
/// with the mean |·| over j ≠ i of each bracket of Eq. 4 in that row: score similarity s_aᵀs_b k, mutual influence
/// s_aᵀ∇_b k + s_bᵀ∇_a k, raw-feature similarity tr(∇_a∇_b k).
/// </summary>
public sealed record ExtremeRow(string Scorer, string Side, int Index, long Label, double Score,
    long Predicted = -1, double MeanAbsScoreTerm = double.NaN, double MeanAbsInfluenceTerm = double.NaN, double MeanAbsRawTerm = double.NaN);

public static class ExtremeRows
{
    /// <summary>The easiest and hardest candidate of every scorer and their rows κ(i, ·) (rows × n float32, as extremes.npy holds them).</summary>
    public static (List<ExtremeRow> Rows, float[] Values) Compute(BaseKernel kernel, KernelInputs inputs, PointScores scores, Candidates candidates)
    {
        var rows = scores.Scorers.SelectMany(sc => new[]
        {
            new ExtremeRow(sc.Name, "easy", ScorerRegistry.Easiest(sc, scores, 1, candidates)[0], 0, 0),
            new ExtremeRow(sc.Name, "hard", ScorerRegistry.Hardest(sc, scores, 1, candidates)[0], 0, 0),
        }).Select(r => r with { Label = scores.Label[r.Index], Predicted = scores.Predicted[r.Index], Score = scores.Values(r.Scorer)[r.Index] }).ToList();
        int n = scores.Count;
        var values = new float[rows.Count * n];
        using (var scope = NewDisposeScope())
        {
            using var prepared = kernel.Prepare(inputs.X, inputs.S);
            for (int r = 0; r < rows.Count; r++)
                kernel.SteinBlock(prepared, rows[r].Index, 1).to(ScalarType.Float32).contiguous().data<float>().CopyTo(values, r * n);
        }
        var terms = kernel.MeanAbsTerms(inputs.X, inputs.S, rows.Select(r => r.Index).ToArray());
        for (int r = 0; r < rows.Count; r++)
            rows[r] = rows[r] with { MeanAbsScoreTerm = terms[r][0], MeanAbsInfluenceTerm = terms[r][1], MeanAbsRawTerm = terms[r][2] };
        return (rows, values);
    }
}
