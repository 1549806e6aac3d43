namespace Harness.Data;

/// <summary>
/// The canaries of a data set: training points (positions in D_t, increasing) given a wrong label before anything trains,
/// with the label each had and the one it was given. A model can fit such a point only by memorizing it, which makes the
/// canaries the positive control of every memorization and forgetting measure.
/// </summary>
public sealed record CanarySet(int[] Index, long[] TrueLabel, long[] CanaryLabel, int Seed)
{
    public int Count => Index.Length;

    /// <summary>Whether each training point (of <paramref name="n"/>) is a canary.</summary>
    public bool[] Mask(int n)
    {
        var mask = new bool[n];
        foreach (int i in Index) mask[i] = true;
        return mask;
    }
}

/// <summary>Seeded canaries: which training points, and which wrong label each gets.</summary>
public static class Canaries
{
    /// <summary>
    /// Gives <paramref name="count"/> training points, drawn by a permutation of D_t seeded with <paramref name="seed"/>, a
    /// wrong label drawn uniformly from the other classes by the same generator; the validation and test sets are untouched.
    /// From then on they are ordinary training points: the original, its population and every unlearner read these labels.
    /// </summary>
    public static DataSplits Apply(DataSplits data, int count, int seed)
    {
        var train = data.Train;
        if (count < 1 || count > train.Count / 2)
            throw new HarnessException($"canaries: {count} must be between 1 and half of the {train.Count} training points.");
        if (train.Classes < 2) throw new HarnessException($"canaries need at least two classes; data set '{data.Name}' has {train.Classes}.");
        if (data.Canaries != null) throw new InvalidOperationException($"data set '{data.Name}' already has canaries.");
        var rng = new Random(seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        rng.Shuffle(order);
        var index = order.Take(count).Order().ToArray();
        var labels = (long[])train.Labels.Clone();
        var canary = new long[count];
        for (int k = 0; k < count; k++)
        {
            long y = labels[index[k]];
            canary[k] = (y + 1 + rng.Next(train.Classes - 1)) % train.Classes; // never y
            labels[index[k]] = canary[k];
        }
        var relabelled = new ImageSet(train.Pixels, labels, train.Channels, train.Height, train.Width, train.Classes);
        return data with { Train = relabelled, Canaries = new CanarySet(index, index.Select(i => train.Labels[i]).ToArray(), canary, seed) };
    }
}
