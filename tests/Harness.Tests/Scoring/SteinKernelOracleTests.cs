using Harness.Numerics;
using FluentAssertions;
using Harness.Scoring;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Harness.Tests.Scoring;

/// <summary>The oracles of docs/method.md for the Stein kernel itself.</summary>
public class SteinKernelOracleTests
{
    static Tensor T(double[,] v) => tensor(v, dtype: ScalarType.Float64);

    static double[,] Full(BaseKernel kernel, Tensor x, Tensor s)
    {
        using var prepared = kernel.Prepare(x, s);
        using var k = kernel.SteinBlock(prepared, 0, x.shape[0]);
        int n = (int)x.shape[0];
        var flat = k.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        var m = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i, j] = flat[i * n + j];
        return m;
    }

    static readonly double[,] X3 = { { 0, 0 }, { 1, 0 }, { 0, 2 } };
    static readonly double[,] S3 = { { 0, 0 }, { -1, 0 }, { 0, -2 } };

    [Test]
    public void RbfFixedValues()
    {
        var k = Full(new RbfKernel(1.0), T(X3), T(S3));
        k[0, 1].Should().BeApproximately(0, 1e-14);
        k[0, 2].Should().BeApproximately(-0.812011699419676, 1e-13);
        k[1, 2].Should().BeApproximately(-0.656679988991190, 1e-13);
        new[] { k[0, 0], k[1, 1], k[2, 2] }.Should().Equal(2, 3, 6);
        k[2, 1].Should().BeApproximately(k[1, 2], 1e-14, "κ is symmetric");
    }

    [Test]
    public void ImqFixedValues()
    {
        var k = Full(new ImqKernel(1, -0.5), T(X3), T(S3));
        k[0, 1].Should().BeApproximately(-0.176776695296637, 1e-13);
        k[0, 2].Should().BeApproximately(-0.393547964039963, 1e-13);
        k[1, 2].Should().BeApproximately(-0.374227599591874, 1e-13);
    }

    /// <summary>Mean of the off-diagonal entries and its standard error; degenerate: the U-statistic under p (SE ~ 1/n).</summary>
    static (double Mean, double Se) UStatistic(double[,] k, bool degenerate)
    {
        int n = k.GetLength(0);
        double sum = 0, sq = 0;
        var rowMeans = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) { sum += k[i, j]; sq += k[i, j] * k[i, j]; rowMeans[i] += k[i, j] / (n - 1); }
        double pairs = (double)n * (n - 1), mean = sum / pairs, var = sq / pairs - mean * mean;
        if (degenerate) return (mean, Math.Sqrt(2 * var / pairs));
        double rm = rowMeans.Average(), rv = rowMeans.Sum(v => (v - rm) * (v - rm)) / (n - 1);
        return (mean, Math.Sqrt(4 * rv / n));
    }

    [TestCase("rbf")]
    [TestCase("imq")]
    public void SteinIdentityHoldsUnderTheModel(string kernelName)
    {
        manual_seed(11);
        var x = randn(2000, 3, dtype: ScalarType.Float64);
        var s = -x;                                  // ∇ log N(0, I)
        BaseKernel kernel = kernelName == "rbf" ? new RbfKernel(1.5) : new ImqKernel(1, -0.5);
        var (mean, se) = UStatistic(Full(kernel, x, s), degenerate: true);
        TestContext.Out.WriteLine($"{kernelName}: mean {mean:E3}, SE {se:E3}");
        Math.Abs(mean).Should().BeLessThan(3 * se);
    }

    [TestCase(1.0, 0.0801875374)]
    [TestCase(2.0, 0.4536092116)]
    public void KsdMatchesTheGaussianClosedForm(double h, double expected)
    {
        manual_seed(5);
        const int d = 5;
        using var held = new HeldScalars();
        var x = randn(2000, d, dtype: ScalarType.Float64).add(held.Of(0.5), held.Of(1));   // q = N(0.5·1, I)
        var s = -x;                                               // p = N(0, I)
        var (mean, se) = UStatistic(Full(new RbfKernel(h), x, s), degenerate: false);
        TestContext.Out.WriteLine($"h {h}: KSD² {mean:F5} ± {se:F5}, closed form {expected}");
        Math.Abs(mean - expected).Should().BeLessThan(3 * se);
        se.Should().BeLessThan(0.1 * expected, "the estimate must be precise enough to mean something");
    }

    /// <summary>κ = s_aᵀs_b k + s_aᵀ∇_b k + s_bᵀ∇_a k + tr(∇_a∇_b k) with the derivatives of k taken numerically.</summary>
    [TestCase("rbf")]
    [TestCase("imq")]
    public void SteinKernelMatchesFiniteDifferences(string kernelName)
    {
        var rng = new Random(3);
        const int d = 4;
        double h = 1.7, c = 1.3, beta = -0.5, eps = 1e-4;
        Func<double[], double[], double> k = kernelName == "rbf"
            ? (a, b) => Math.Exp(-Sq(a, b) / (2 * h * h))
            : (a, b) => Math.Pow(c * c + Sq(a, b), beta);
        BaseKernel kernel = kernelName == "rbf" ? new RbfKernel(h) : new ImqKernel(c, beta);
        for (int trial = 0; trial < 5; trial++)
        {
            double[] R() => Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            double[] a = R(), b = R(), sa = R(), sb = R();
            double expected = Dot(sa, sb) * k(a, b);
            for (int t = 0; t < d; t++)
            {
                expected += sa[t] * (k(a, Shift(b, t, eps)) - k(a, Shift(b, t, -eps))) / (2 * eps);
                expected += sb[t] * (k(Shift(a, t, eps), b) - k(Shift(a, t, -eps), b)) / (2 * eps);
                expected += (k(Shift(a, t, eps), Shift(b, t, eps)) - k(Shift(a, t, eps), Shift(b, t, -eps))
                           - k(Shift(a, t, -eps), Shift(b, t, eps)) + k(Shift(a, t, -eps), Shift(b, t, -eps))) / (4 * eps * eps);
            }
            var x = tensor(a.Concat(b).ToArray(), new long[] { 2, d }, dtype: ScalarType.Float64);
            var s = tensor(sa.Concat(sb).ToArray(), new long[] { 2, d }, dtype: ScalarType.Float64);
            Full(kernel, x, s)[0, 1].Should().BeApproximately(expected, 1e-6 * Math.Max(1, Math.Abs(expected)));
        }
    }

    static double Sq(double[] a, double[] b) => a.Zip(b, (u, v) => (u - v) * (u - v)).Sum();
    static double Dot(double[] a, double[] b) => a.Zip(b, (u, v) => u * v).Sum();
    static double[] Shift(double[] v, int t, double e) { var c = (double[])v.Clone(); c[t] += e; return c; }
}
