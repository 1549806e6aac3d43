namespace Harness.Populations;

/// <summary>
/// A monotone map of φ from a model trained on all of D_t onto the population's scale (its models train on half): the
/// quantiles of the two models' φ on the test set, which no model saw, matched. A model trained on twice the data is
/// more confident everywhere; on points it never saw that shift is not membership, and the map removes it before LiRA
/// scores the point. <see cref="None"/> leaves φ as it is.
/// </summary>
public sealed record PhiCalibration(double[] From, double[] To)
{
    public const int Quantiles = 101;

    public static PhiCalibration None { get; } = new([], []);

    public bool IsNone => From.Length == 0;

    /// <summary>The map from <paramref name="fullDataTestPhi"/> (a model trained like the original, on the test set) to <paramref name="populationTestPhi"/> (the population's models on it).</summary>
    public static PhiCalibration FromTestSets(IEnumerable<double> fullDataTestPhi, IEnumerable<double> populationTestPhi)
    {
        var a = fullDataTestPhi.Order().ToArray();
        var b = populationTestPhi.Order().ToArray();
        if (a.Length == 0 || b.Length == 0) throw new ArgumentException("calibration needs φ on the test set from both sides");
        var q = Enumerable.Range(0, Quantiles).Select(k => k / (double)(Quantiles - 1)).ToArray();
        return new PhiCalibration(q.Select(p => Quantile(a, p)).ToArray(), q.Select(p => Quantile(b, p)).ToArray());
    }

    /// <summary>φ on the population's scale: linear between matched quantiles, shifted by the end quantiles' difference beyond them.</summary>
    public double Apply(double phi)
    {
        if (IsNone) return phi;
        if (phi <= From[0]) return phi - From[0] + To[0];
        if (phi >= From[^1]) return phi - From[^1] + To[^1];
        int hi = 1;
        while (From[hi] < phi) hi++;
        int lo = hi - 1;
        while (lo > 0 && From[lo - 1] == From[lo]) lo--; // a run of equal quantiles: interpolate from its first
        double span = From[hi] - From[lo];
        return span == 0 ? To[hi] : To[lo] + (phi - From[lo]) / span * (To[hi] - To[lo]);
    }

    static double Quantile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int i = (int)Math.Floor(h);
        return i + 1 < sorted.Length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }
}

/// <summary>
/// The false-positive rate of the member call, measured where it matters: on a model trained like the original on D_t
/// without a seeded held-out set H, whose points it never saw. Each point of H called a member is a false positive; the
/// share, with its 95 % Clopper–Pearson interval, against the nominal rate; without and with the calibration.
/// </summary>
public sealed record MemberCallCheck(int Points, double Nominal, int Called, double Fpr, double Low, double High,
    int CalledCalibrated, double FprCalibrated, double LowCalibrated, double HighCalibrated)
{
    /// <summary>Whether the nominal rate lies in the measured rate's interval (without, with calibration).</summary>
    public (bool Raw, bool Calibrated) Calibrated => (Low <= Nominal && Nominal <= High, LowCalibrated <= Nominal && Nominal <= HighCalibrated);

    /// <summary>The seeded held-out set: the first <paramref name="count"/> of a permutation of D_t (increasing).</summary>
    public static int[] HeldOut(int n, int count, int seed)
    {
        if (count < 1 || count > n / 2) throw new HarnessException($"population.held_out: {count} must be between 1 and half of the {n} training points.");
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order.Take(count).Order().ToArray();
    }

    /// <summary>The check from the held-out model's φ on each point of <paramref name="heldOut"/>, scored against the population's fits and threshold.</summary>
    public static MemberCallCheck Of(Population population, double threshold, double nominal, IReadOnlyList<int> heldOut, IReadOnlyList<double> phi, PhiCalibration calibration)
    {
        if (heldOut.Count != phi.Count) throw new ArgumentException($"{heldOut.Count} held-out points, {phi.Count} φ values");
        var raw = new MembershipEvidence(population, threshold, nominal);
        var calibrated = new MembershipEvidence(population, threshold, nominal, calibration);
        int called = 0, calledCalibrated = 0;
        for (int k = 0; k < heldOut.Count; k++)
        {
            if (raw.Of(heldOut[k], phi[k]).Member) called++;
            if (calibrated.Of(heldOut[k], phi[k]).Member) calledCalibrated++;
        }
        var (lo, hi) = ClopperPearson(called, heldOut.Count);
        var (loC, hiC) = ClopperPearson(calledCalibrated, heldOut.Count);
        return new MemberCallCheck(heldOut.Count, nominal, called, called / (double)heldOut.Count, lo, hi, calledCalibrated, calledCalibrated / (double)heldOut.Count, loC, hiC);
    }

    /// <summary>The exact (Clopper–Pearson) 95 % interval of a binomial rate from <paramref name="k"/> of <paramref name="n"/>, by bisection on the binomial tails.</summary>
    public static (double Low, double High) ClopperPearson(int k, int n)
    {
        if (n < 1 || k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k));
        var logChoose = LogChoose(n);
        double LowerTail(int upTo, double p)
        {
            double sum = 0;
            for (int i = 0; i <= upTo; i++) sum += Math.Exp(logChoose[i] + i * Math.Log(p) + (n - i) * Math.Log(1 - p));
            return sum;
        }
        double low = k == 0 ? 0 : Solve(p => 1 - LowerTail(k - 1, p) - 0.025); // P(X ≥ k | p) = 2.5 %
        double high = k == n ? 1 : Solve(p => 0.025 - LowerTail(k, p)); // P(X ≤ k | p) = 2.5 %
        return (low, high);
    }

    /// <summary>The p in (0, 1) where an increasing <paramref name="f"/> crosses 0.</summary>
    static double Solve(Func<double, double> f)
    {
        double lo = 0, hi = 1;
        for (int i = 0; i < 100; i++)
        {
            double mid = (lo + hi) / 2;
            if (f(mid) < 0) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>log C(n, i) for i = 0..n, from one table of log-factorials.</summary>
    static double[] LogChoose(int n)
    {
        var logFactorial = new double[n + 1];
        for (int i = 2; i <= n; i++) logFactorial[i] = logFactorial[i - 1] + Math.Log(i);
        return Enumerable.Range(0, n + 1).Select(i => logFactorial[n] - logFactorial[i] - logFactorial[n - i]).ToArray();
    }
}
