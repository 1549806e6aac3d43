using Harness.Training;

namespace Harness.Profiles;

/// <summary>SVHN (Table 4): ResNet-18, Adam lr 0.001, batch 64, 15 epochs; Table 5's CIFAR-10/SVHN column, unlearning batches of 64.</summary>
public static class SvhnProfile
{
    public static DatasetProfile Profile { get; } = new("svhn", "resnet18",
        new TrainingSettings { Optimizer = Optimizer.Adam, LearningRate = 0.001, BatchSize = 64, Epochs = 15 }, Table5Group.CifarLike, UnlearnBatch: 64);
}
