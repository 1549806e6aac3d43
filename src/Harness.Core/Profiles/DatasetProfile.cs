using Harness.Training;

namespace Harness.Profiles;

/// <summary>Which column of the paper's Table 5 a data set's unlearning defaults come from: MNIST's (MNIST, Fashion-MNIST, user data) or CIFAR-10's and SVHN's.</summary>
public enum Table5Group { MnistLike, CifarLike }

/// <summary>
/// A data set's defaults: the paper's Table 4 (model, optimizer, batch, learning rate; epochs as the README states) and
/// its Table 5 column with the batch size unlearners take. Every default is also a setting a matrix or option can
/// override, and every setting is in a result's fingerprint, so a profile changes numbers only through values that are recorded.
/// A new data set's defaults are one file here and one line in <see cref="DatasetProfiles"/>.
/// </summary>
public sealed record DatasetProfile(string Dataset, string Model, TrainingSettings Training, Table5Group Table5, int UnlearnBatch);
