namespace Harness.Unlearning;

/// <summary>
/// Hyper-parameters of an unlearning algorithm. Defaults are the paper's Table 5 per data set; what Table 5 leaves out
/// (optimizer, momentum, weight decay, batch size) follows OPTML-Group/Unlearn-Sparse, the reference METHOD.md cites:
/// SGD with momentum 0.9 and weight decay 5e-4, batches of the data set's training batch size.
/// </summary>
public sealed record UnlearnSettings
{
    /// <summary>`sgd` (default) or `adam`.</summary>
    public string Optimizer { get; init; } = "sgd";
    public double LearningRate { get; init; }
    public int Epochs { get; init; }
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-4;
    public int BatchSize { get; init; } = 150;
    /// <summary>GradAscent stops once the mean forget loss exceeds this.</summary>
    public double OverfitThreshold { get; init; } = 5.0;
    /// <summary>Fisher forgetting noise scale α.</summary>
    public double Alpha { get; init; }
    /// <summary>Fisher forgetting: at most this many points of D_r (seeded sample) enter F; 0 means all of D_r.</summary>
    public int FisherSamples { get; init; }
    /// <summary>Seeds the noise of Fisher forgetting and the shuffling of FineTune.</summary>
    public int Seed { get; init; }

    /// <summary>These settings as training settings (FineTune, Retrain), keeping the original's seed, threads and device.</summary>
    public Training.TrainingSettings AsTraining(Training.TrainingSettings original) => original with
    {
        Optimizer = Optimizer, LearningRate = LearningRate, Momentum = Momentum, WeightDecay = WeightDecay,
        BatchSize = BatchSize, Epochs = Epochs,
    };

    public void Validate(string algorithm)
    {
        if (Optimizer is not ("sgd" or "adam")) throw new HarnessException($"{algorithm}: optimizer '{Optimizer}' is unknown; use sgd or adam.");
        if (!(LearningRate >= 0) || !double.IsFinite(LearningRate)) throw new HarnessException($"{algorithm}: learning rate {LearningRate} must be a finite number ≥ 0.");
        if (Epochs < 0) throw new HarnessException($"{algorithm}: epochs {Epochs} must be 0 or more.");
        if (BatchSize < 1) throw new HarnessException($"{algorithm}: batch size {BatchSize} must be at least 1.");
        if (!(Alpha >= 0) || !double.IsFinite(Alpha)) throw new HarnessException($"{algorithm}: alpha {Alpha} must be a finite number ≥ 0.");
        if (FisherSamples < 0) throw new HarnessException($"{algorithm}: fisher samples {FisherSamples} must be 0 (all) or more.");
        if (!double.IsFinite(OverfitThreshold)) throw new HarnessException($"{algorithm}: overfit threshold must be finite.");
    }
}

public static class UnlearnDefaults
{
    /// <summary>Table 5 of the paper.</summary>
    public static UnlearnSettings For(string dataset, string algorithm)
    {
        bool mnistLike = dataset is not ("cifar10" or "svhn");
        int batch = dataset == "svhn" ? 64 : 150;
        var s = new UnlearnSettings { BatchSize = batch };
        return algorithm switch
        {
            "gradascent" => s with { LearningRate = 1e-4, Epochs = 50, OverfitThreshold = 5.0 },
            "finetune" => s with { LearningRate = mnistLike ? 0.1 : 0.01, Epochs = mnistLike ? 10 : 15 },
            "fisher" => s with { Alpha = mnistLike ? 1e-5 : 6e-8 },
            "retrain" => s with { LearningRate = mnistLike ? 0.1 : 0.01, Epochs = mnistLike ? 10 : 100 },
            _ => throw new HarnessException($"unknown unlearning algorithm '{algorithm}'; known: {string.Join(", ", UnlearnerRegistry.Names)}."),
        };
    }
}
