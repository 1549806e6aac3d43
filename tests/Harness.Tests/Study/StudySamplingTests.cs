using FluentAssertions;
using Harness.Data;
using Harness.Populations;
using Harness.Study;
using NUnit.Framework;

namespace Harness.Tests.Study;

/// <summary>How a study draws its points: uniformly as before, or split across the memorization strata.</summary>
public class StudySamplingTests
{
    [Test]
    public void UniformDrawingIsTheSeededPermutationItAlwaysWas()
    {
        var candidates = Enumerable.Range(0, 100).Where(i => i % 3 != 0).ToArray();
        var order = (int[])candidates.Clone();
        new Random(5).Shuffle(order);
        StudySampling.Draw(candidates, 10, 5, null).Should().Equal(order.Take(10).Order(), "committed studies keep their points");
    }

    [Test]
    public void StrataShareThePointsEquallyAndASmallStratumGivesAllItHas()
    {
        var candidates = Enumerable.Range(0, 40).ToArray();
        var strata = candidates.ToDictionary(i => i, i => i < 2 ? "canaries" : i < 12 ? "high" : i < 22 ? "medium" : "low");
        var drawn = StudySampling.Draw(candidates, 13, 1, strata);
        drawn.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        drawn.Count(i => strata[i] == "canaries").Should().Be(2, "its share is 4, it has 2");
        drawn.Count(i => strata[i] == "high").Should().Be(4, "the other 11 are shared 4 + 4 + 3, the first strata taking the remainder");
        drawn.Count(i => strata[i] == "medium").Should().Be(4);
        drawn.Count(i => strata[i] == "low").Should().Be(3);
        StudySampling.Draw(candidates, 100, 1, strata).Should().Equal(candidates, "more than there are: all of them");
        StudySampling.Draw(candidates, 13, 1, strata).Should().Equal(drawn, "seeded");
    }

    [Test]
    public void CanariesComeFirstThenMemorizationDecidesTheStratum()
    {
        // 4 models, 3 points: point 0 right only where seen (memorization 1), point 1 right everywhere (0), point 2 right
        // where seen in one of two models (0.5 − 0 = 0.5); point 2 is a canary.
        var members = new[] { new[] { true, true, false }, new[] { false, false, true }, new[] { true, true, false }, new[] { false, false, true } };
        var correct = new[] { new[] { true, true, false }, new[] { false, true, true }, new[] { true, true, false }, new[] { false, true, false } };
        var population = new Population(members, correct.Select(c => new Confidences(new double[3], c)).ToList(), correct.Select(_ => new Confidences([0.0], [true])).ToList());
        var canaries = new CanarySet([2], [0], [1], 0);
        var strata = StudySampling.Strata([0, 1, 2], population, canaries);
        strata.Should().Equal(new Dictionary<int, string> { [0] = "high", [1] = "low", [2] = "canaries" });
        StudySampling.Strata([2], population, null)[2].Should().Be("high", "memorization 0.5 is high without the canary flag");
    }
}
