using Harness.Training;

namespace Harness.Profiles;

/// <summary>MNIST (Table 4): the two-layer CNN, Adam lr 0.001, batch 150, 10 epochs; Table 5's MNIST column, unlearning batches of 150.</summary>
public static class MnistProfile
{
    public static DatasetProfile Profile { get; } = new("mnist", "cnn2",
        new TrainingSettings { Optimizer = Optimizer.Adam, LearningRate = 0.001, BatchSize = 150, Epochs = 10 }, Table5Group.MnistLike, UnlearnBatch: 150);
}
