namespace Harness.Experiments;

/// <summary>
/// A matrix's population of reference models (`population: { models: 16 }`): M models of the original's architecture and
/// training recipe, each on a seeded random half of the training set, in complementary pairs (every point in exactly M/2).
/// `seed` seeds the halves (default: the matrix seed); model m is initialised and shuffled with seed 1000 · (seed + 1) + m.
/// </summary>
public sealed record PopulationSpec(int Models, int? Seed = null)
{
    public const int MinModels = 4;

    /// <summary>The seed of the halves for a matrix seed.</summary>
    public int HalvesSeed(int matrixSeed) => Seed ?? matrixSeed;

    /// <summary>The training seed of model m (distinct from the original's seed and from every other model's).</summary>
    public int ModelSeed(int matrixSeed, int m) => checked(1000 * (HalvesSeed(matrixSeed) + 1) + m);
}
