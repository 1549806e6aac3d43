using Harness.Training;

namespace Harness.Profiles;

/// <summary>CIFAR-10 (Table 4): ResNet-18, SGD lr 0.01 with momentum 0.9 and weight decay 5e-4, batch 150, 30 epochs; Table 5's CIFAR-10/SVHN column, unlearning batches of 150.</summary>
public static class Cifar10Profile
{
    public static DatasetProfile Profile { get; } = new("cifar10", "resnet18",
        new TrainingSettings { Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9, WeightDecay = 5e-4, BatchSize = 150, Epochs = 30 }, Table5Group.CifarLike, UnlearnBatch: 150);
}
