namespace Harness.Experiments;

/// <summary>How the φ of a model trained on all of D_t is put on the population's scale: not at all, or by the test sets' quantiles.</summary>
[ChoiceOf("calibration")] public enum Calibration { None, TestQuantiles }

/// <summary>
/// A matrix's population of reference models (`population: { models: 16 }`): M models of the original's architecture and
/// training recipe, each on a seeded random half of the training set, in complementary pairs (every point in exactly M/2).
/// `seed` seeds the halves (default: the matrix seed); model m is initialised and shuffled with seed 1000 · (seed + 1) + m.
/// `held_out: H` trains one more model like the original on D_t without H seeded points and measures the member call's
/// false-positive rate on them (<see cref="Populations.MemberCallCheck"/>); `calibration: test_quantiles` maps the φ of
/// models trained on all of D_t onto the population's scale before LiRA scores them (<see cref="Populations.PhiCalibration"/>).
/// </summary>
public sealed record PopulationSpec(int Models, int? Seed = null, int HeldOut = 0, Calibration Calibration = Calibration.None)
{
    public const int MinModels = 4;

    /// <summary>The seed of the halves for a matrix seed.</summary>
    public int HalvesSeed(int matrixSeed) => Seed ?? matrixSeed;

    /// <summary>The training seed of model m (distinct from the original's seed and from every other model's).</summary>
    public int ModelSeed(int matrixSeed, int m) => checked(1000 * (HalvesSeed(matrixSeed) + 1) + m);

    /// <summary>The seed of the held-out set (distinct from the halves' seed).</summary>
    public int HeldOutSeed(int matrixSeed) => checked(HalvesSeed(matrixSeed) + 7919);
}
