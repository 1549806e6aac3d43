namespace Harness.Tests.Scoring;

/// <summary>The reference: κ and every statistic by a plain double loop in float64, straight from docs/method.md.</summary>
static class DirectKernel
{
    public static double Rbf(double[] a, double[] b, double[] sa, double[] sb, double h)
    {
        int d = a.Length;
        double r2 = 0, ss = 0, sad = 0, sbd = 0;
        for (int t = 0; t < d; t++)
        {
            double delta = a[t] - b[t];
            r2 += delta * delta; ss += sa[t] * sb[t]; sad += sa[t] * delta; sbd += sb[t] * delta;
        }
        double h2 = h * h;
        return Math.Exp(-r2 / (2 * h2)) * (ss + (sad - sbd) / h2 + d / h2 - r2 / (h2 * h2));
    }

    public static double Imq(double[] a, double[] b, double[] sa, double[] sb, double c, double beta)
    {
        int d = a.Length;
        double r2 = 0, ss = 0, sad = 0, sbd = 0;
        for (int t = 0; t < d; t++)
        {
            double delta = a[t] - b[t];
            r2 += delta * delta; ss += sa[t] * sb[t]; sad += sa[t] * delta; sbd += sb[t] * delta;
        }
        double q = c * c + r2;
        return Math.Pow(q, beta) * ss - 2 * beta * Math.Pow(q, beta - 1) * (sad - sbd)
               - 4 * beta * (beta - 1) * Math.Pow(q, beta - 2) * r2 - 2 * beta * d * Math.Pow(q, beta - 1);
    }

    public static double[,] Matrix(double[][] x, double[][] s, Func<double[], double[], double[], double[], double> kappa)
    {
        int n = x.Length;
        var k = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) k[i, j] = kappa(x[i], x[j], s[i], s[j]);
        return k;
    }

    public sealed record Stats(double[] Mksd, double[] LogMsksd, int[][] TopK);

    public static Stats Statistics(double[,] k, bool includeDiagonal, bool global, int topK)
    {
        int n = k.GetLength(0);
        var mksd = new double[n];
        var lse = new double[n];
        var top = new int[n][];
        double m = includeDiagonal ? n : n - 1;
        bool Counted(int i, int j) => includeDiagonal || i != j;
        double gSum = 0, gSq = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (Counted(i, j)) { gSum += k[i, j]; gSq += k[i, j] * k[i, j]; }
        double gMean = gSum / (n * m), gSd = Math.Sqrt(gSq / (n * m) - gMean * gMean);
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++) if (Counted(i, j)) sum += k[i, j];
            double mean = sum / m, dev = 0;
            for (int j = 0; j < n; j++) if (Counted(i, j)) dev += (k[i, j] - mean) * (k[i, j] - mean);
            double sd = Math.Sqrt(dev / m);
            double mu = global ? gMean : mean, sigma = global ? gSd : sd;
            double max = double.NegativeInfinity;
            for (int j = 0; j < n; j++) if (Counted(i, j)) max = Math.Max(max, (k[i, j] - mu) / sigma);
            double e = 0;
            for (int j = 0; j < n; j++) if (Counted(i, j)) e += Math.Exp((k[i, j] - mu) / sigma - max);
            mksd[i] = sum;
            lse[i] = max + Math.Log(e);
            top[i] = Enumerable.Range(0, n).Where(j => j != i).OrderByDescending(j => k[i, j]).ThenBy(j => j).Take(topK).ToArray();
        }
        return new Stats(mksd, lse, top);
    }

    public static double[][] Rows(TorchSharp.torch.Tensor t)
    {
        using var d = t.to(TorchSharp.torch.ScalarType.Float64).contiguous();
        var flat = d.data<double>().ToArray();
        int n = (int)t.shape[0], cols = (int)t.shape[1];
        return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * cols, cols).ToArray()).ToArray();
    }
}
