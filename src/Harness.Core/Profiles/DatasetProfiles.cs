namespace Harness.Profiles;

/// <summary>
/// The registered data-set profiles. A data set without one of its own takes the profile its declaration names, under its
/// own name (Fashion-MNIST MNIST's; a user's `datasets:` entry the one its `profile:` names); any other name is an error.
/// </summary>
public static class DatasetProfiles
{
    static readonly DatasetProfile[] Registered =
    {
        MnistProfile.Profile,
        Cifar10Profile.Profile,
        SvhnProfile.Profile,
    };

    public static IReadOnlyList<DatasetProfile> All => Registered;

    public static DatasetProfile Of(string dataset) =>
        Registered.FirstOrDefault(p => p.Dataset == dataset)
        ?? (Data.DatasetRegistry.ProfileOf(dataset) is { } declared ? Registered.Single(p => p.Dataset == declared) with { Dataset = dataset } : null)
        ?? throw new HarnessException($"data set '{dataset}' has no defaults: declare it under `datasets:` in experiments.yaml with `profile:` naming the data set whose Table 4/5 defaults it takes ({string.Join(", ", Registered.Select(p => p.Dataset))}).");
}
