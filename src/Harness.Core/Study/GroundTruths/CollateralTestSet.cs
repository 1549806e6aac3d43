using Harness.Data;

namespace Harness.Study;

/// <summary>The test points gt_collateral is measured on: the first S of a permutation of the test set seeded with 0 (all, in order, when S is 0).</summary>
public static class CollateralTestSet
{
    public static ImageSet Of(DataSplits data, int sample)
    {
        var set = data.Test;
        if (sample > 0 && sample < set.Count)
        {
            var order = Enumerable.Range(0, set.Count).ToArray();
            new Random(0).Shuffle(order);
            set = set.Subset(order.Take(sample).ToArray());
        }
        return set;
    }
}
