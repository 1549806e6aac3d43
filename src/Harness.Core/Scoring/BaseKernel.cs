using Harness.Numerics;
using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// A base kernel k and its Stein kernel (paper Eq. 4) κ(a,b) = s_aᵀs_b k + s_aᵀ∇_b k + s_bᵀ∇_a k + tr(∇_a∇_b k),
/// evaluated for a block of rows against every column from matrix products and per-point terms only.
/// </summary>
public abstract class BaseKernel
{
    public abstract string Name { get; }

    /// <summary>Per-point tensors the block evaluation needs (computed once for all n points).</summary>
    public abstract IDisposable Prepare(Tensor x, Tensor s);

    /// <summary>κ for rows [start, start+count) against all points: a count×n tensor. The diagonal uses ‖a−b‖² = 0 exactly.</summary>
    public abstract Tensor SteinBlock(IDisposable prepared, long start, long count);

    /// <summary>
    /// The three brackets of Eq. 4 for each given row against every other point: score similarity s_aᵀs_b k, mutual
    /// influence s_aᵀ∇_b k + s_bᵀ∇_a k, and raw-feature similarity tr(∇_a∇_b k) (they sum to κ). Returns, per row, the
    /// mean |·| of each over j ≠ i, computed in float64 over column chunks.
    /// </summary>
    public double[][] MeanAbsTerms(Tensor x, Tensor s, int[] rows, int chunk = 8192)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        long n = x.shape[0], d = x.shape[1];
        var idx = tensor(rows.Select(r => (long)r).ToArray());
        var xr = x.index_select(0, idx).to(ScalarType.Float64);
        var sr = s.index_select(0, idx).to(ScalarType.Float64);
        var sqr = xr.pow(held.Of(2)).sum(1L);
        var sxr = (sr * xr).sum(1L);
        var sums = zeros(3, rows.Length, dtype: ScalarType.Float64);
        for (long start = 0; start < n; start += chunk)
        {
            using var inner = NewDisposeScope();
            long m = Math.Min(chunk, n - start);
            var xc = x.narrow(0, start, m).to(ScalarType.Float64);
            var sc = s.narrow(0, start, m).to(ScalarType.Float64);
            var r2 = (sqr.unsqueeze(1).add(xc.pow(held.Of(2)).sum(1L).unsqueeze(0), held.Of(1)) - xr.matmul(xc.t()).mul(held.Of(2))).clamp_min(held.Of(0));
            var ss = sr.matmul(sc.t());
            // s_a·δ − s_b·δ with δ = a − b: s_a·a − s_a·b − s_b·a + s_b·b.
            var sdiff = (sxr.unsqueeze(1) - sr.matmul(xc.t()) - xr.matmul(sc.t())).add((sc * xc).sum(1L).unsqueeze(0), held.Of(1));
            var self = zeros(rows.Length, m, dtype: ScalarType.Bool);
            for (int r = 0; r < rows.Length; r++)
                if (rows[r] >= start && rows[r] < start + m) { self[r, rows[r] - start] = true; r2[r, rows[r] - start] = 0; }
            var (score, influence, raw) = TermsFrom(r2, ss, sdiff, d, held);
            foreach (var (t, k) in new[] { (score, 0), (influence, 1), (raw, 2) })
                sums[k].add_(t.abs().masked_fill(self, held.Of(0)).sum(1L), held.Of(1));
        }
        var values = sums.div(held.Of(Math.Max(1, n - 1))).data<double>().ToArray();
        return rows.Select((_, r) => new[] { values[r], values[rows.Length + r], values[2 * rows.Length + r] }).ToArray();
    }

    /// <summary>The three brackets from ‖δ‖², s_a·s_b and s_a·δ − s_b·δ (d = columns of x), their numbers held by <paramref name="held"/>.</summary>
    protected abstract (Tensor Score, Tensor Influence, Tensor Raw) TermsFrom(Tensor r2, Tensor ss, Tensor sdiff, long d, HeldScalars held);

    /// <summary>‖a−b‖² for rows [start, start+count) against all, from ‖a‖² + ‖b‖² − 2a·b, clamped at 0, self-distance exactly 0.</summary>
    protected static Tensor SquaredDistances(Tensor xRows, Tensor x, Tensor sq, long start, HeldScalars held)
    {
        long count = xRows.shape[0];
        var e = addmm(sq.unsqueeze(0), xRows, x.t(), beta: 1, alpha: -2);
        e.add_(sq.narrow(0, start, count).unsqueeze(1), held.Of(1)).clamp_min_(held.Of(0));
        e.narrow(1, start, count).diagonal().zero_();
        return e;
    }
}

/// <summary>RBF k = exp(−‖a−b‖²/(2h²)). With U = S − X/h² the bracket of κ is U_a·U_b + a·b/h⁴ + r_a + r_b + d/h², r = s·x/h² − ‖x‖²/h⁴.</summary>
public sealed class RbfKernel : BaseKernel
{
    public RbfKernel(double h) => H = h;
    public double H { get; }
    public override string Name => "rbf";

    sealed class State(Tensor x, Tensor u, Tensor sq, Tensor colTerm, Tensor r) : IDisposable
    {
        public Tensor X = x, U = u, Sq = sq, ColTerm = colTerm, R = r;
        public void Dispose() { X.Dispose(); U.Dispose(); Sq.Dispose(); ColTerm.Dispose(); R.Dispose(); }
    }

    public override IDisposable Prepare(Tensor x, Tensor s)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        double h2 = H * H, h4 = h2 * h2;
        long d = x.shape[1];
        var sq = x.pow(held.Of(2)).sum(1L);
        var u = s - x.div(held.Of(h2));
        var r = (s * x).sum(1L).div(held.Of(h2)) - sq.div(held.Of(h4));
        var colTerm = r.add(held.Of(d / h2), held.Of(1)).add(sq.div(held.Of(2 * h4)), held.Of(1));
        return new State(x.alias().MoveToOuterDisposeScope(), u.MoveToOuterDisposeScope(), sq.MoveToOuterDisposeScope(),
            colTerm.MoveToOuterDisposeScope(), r.MoveToOuterDisposeScope());
    }

    public override Tensor SteinBlock(IDisposable prepared, long start, long count)
    {
        var st = (State)prepared;
        double h2 = H * H, h4 = h2 * h2;
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var xRows = st.X.narrow(0, start, count);
        // e = ‖b‖² − 2a·b, so a·b/h⁴ = ‖b‖²/(2h⁴) − e/(2h⁴): one product of X and one of U give the whole bracket.
        var e = addmm(st.Sq.unsqueeze(0), xRows, st.X.t(), beta: 1, alpha: -2);
        var bracket = addmm(st.ColTerm.unsqueeze(0), st.U.narrow(0, start, count), st.U.t(), beta: 1, alpha: 1);
        bracket.add_(e, alpha: held.Of(-1 / (2 * h4))).add_(st.R.narrow(0, start, count).unsqueeze(1), held.Of(1));
        e.add_(st.Sq.narrow(0, start, count).unsqueeze(1), held.Of(1)).clamp_min_(held.Of(0));
        e.narrow(1, start, count).diagonal().zero_();
        var k = e.mul_(held.Of(-1 / (2 * h2))).exp_();
        return bracket.mul_(k).MoveToOuterDisposeScope();
    }


    protected override (Tensor Score, Tensor Influence, Tensor Raw) TermsFrom(Tensor r2, Tensor ss, Tensor sdiff, long d, HeldScalars held)
    {
        double h2 = H * H;
        var k = r2.div(held.Of(-2 * h2)).exp();
        // d/h² − r2/h⁴, as TorchSharp's double − tensor: −(r2/h⁴) + d/h²
        return (k * ss, (k * sdiff).div(held.Of(h2)), k * r2.div(held.Of(h2 * h2)).negative().add(held.Of(d / h2), held.Of(1)));
    }

    /// <summary>
    /// The products of rows [start, start+count) with columns [start, n): the block triangle of X Xᵀ and U Uᵀ that no
    /// evaluation of κ can avoid, by LibTorch's matmul: the benchmark's old floor, beside the pass's own FMA products (<see cref="FmaGemm"/>). They are written, count×(n−start) row-major, to the front of the
    /// preallocated flat buffers xx and uu.
    /// </summary>
    internal static void TriangleProducts(IDisposable prepared, long start, long count, Tensor xx, Tensor uu)
    {
        var st = (State)prepared;
        using var scope = NewDisposeScope();
        long rest = st.X.shape[0] - start;
        xx.narrow(0, 0, count * rest).view(count, rest).addmm_(st.X.narrow(0, start, count), st.X.narrow(0, start, rest).t(), beta: 0, alpha: 1);
        uu.narrow(0, 0, count * rest).view(count, rest).addmm_(st.U.narrow(0, start, count), st.U.narrow(0, start, rest).t(), beta: 0, alpha: 1);
    }
}

/// <summary>IMQ k = q^β with q = c² + ‖a−b‖²: κ = k s_a·s_b − 2β q^(β−1)(s_a·δ − s_b·δ) − 4β(β−1) q^(β−2)‖δ‖² − 2βd q^(β−1).</summary>
public sealed class ImqKernel : BaseKernel
{
    public ImqKernel(double c, double beta) { C = c; Beta = beta; }
    public double C { get; }
    public double Beta { get; }
    public override string Name => "imq";

    sealed class State(Tensor x, Tensor s, Tensor sq, Tensor sx, Tensor sxCat, Tensor xsCat) : IDisposable
    {
        public Tensor X = x, S = s, Sq = sq, Sx = sx, SxCat = sxCat, XsCat = xsCat;
        public void Dispose() { X.Dispose(); S.Dispose(); Sq.Dispose(); Sx.Dispose(); SxCat.Dispose(); XsCat.Dispose(); }
    }

    public override IDisposable Prepare(Tensor x, Tensor s)
    {
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        var sq = x.pow(held.Of(2)).sum(1L);
        var sx = (s * x).sum(1L);
        return new State(x.alias().MoveToOuterDisposeScope(), s.alias().MoveToOuterDisposeScope(), sq.MoveToOuterDisposeScope(),
            sx.MoveToOuterDisposeScope(), cat(new[] { s, x }, 1).MoveToOuterDisposeScope(), cat(new[] { x, s }, 1).MoveToOuterDisposeScope());
    }

    public override Tensor SteinBlock(IDisposable prepared, long start, long count)
    {
        var st = (State)prepared;
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();
        long d = st.X.shape[1];
        var r2 = SquaredDistances(st.X.narrow(0, start, count), st.X, st.Sq, start, held);
        var q = r2.add(held.Of(C * C), held.Of(1));
        var k = q.pow(held.Of(Beta));
        var qb1 = k / q;                                   // q^(β−1)
        // s_a·δ − s_b·δ = s_a·a + s_b·b − (s_a·b + a·s_b); the cross term is one product of [S X] and [X S].
        var cross = st.SxCat.narrow(0, start, count).matmul(st.XsCat.t());
        var sdiff = cross.neg_().add_(st.Sx.unsqueeze(0), held.Of(1)).add_(st.Sx.narrow(0, start, count).unsqueeze(1), held.Of(1));
        var kappa = st.S.narrow(0, start, count).matmul(st.S.t()).mul_(k);
        kappa.add_(sdiff.mul_(qb1), alpha: held.Of(-2 * Beta));
        kappa.add_(r2.mul_(qb1).div_(q), alpha: held.Of(-4 * Beta * (Beta - 1)));
        kappa.add_(qb1, alpha: held.Of(-2 * Beta * d));
        return kappa.MoveToOuterDisposeScope();
    }

    protected override (Tensor Score, Tensor Influence, Tensor Raw) TermsFrom(Tensor r2, Tensor ss, Tensor sdiff, long d, HeldScalars held)
    {
        var q = r2.add(held.Of(C * C), held.Of(1));
        var k = q.pow(held.Of(Beta));
        var qb1 = k / q;
        return (k * ss, (qb1 * sdiff).mul(held.Of(-2 * Beta)),
            (qb1 * r2 / q).mul(held.Of(-4 * Beta * (Beta - 1))).add(qb1.mul(held.Of(-2 * Beta * d)), held.Of(1)));
    }

}
