namespace Harness.Profiles;

/// <summary>The registered data-set profiles; a data set without one (Fashion-MNIST, a user's `datasets:` entry) takes MNIST's under its own name.</summary>
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
        Registered.FirstOrDefault(p => p.Dataset == dataset) ?? MnistProfile.Profile with { Dataset = dataset };
}
