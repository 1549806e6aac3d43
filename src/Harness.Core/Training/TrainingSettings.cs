namespace Harness.Training;

/// <summary>Everything that determines a trained model besides the data and the architecture.</summary>
public sealed record TrainingSettings
{
    public Optimizer Optimizer { get; init; } = Optimizer.Adam;
    public double LearningRate { get; init; } = 1e-3;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; }
    public int BatchSize { get; init; } = 150;
    public int Epochs { get; init; } = 5;
    /// <summary>Stop after this many optimizer steps in all, even within an epoch; 0 = run every epoch.</summary>
    public int MaxSteps { get; init; }
    public int Seed { get; init; }
    /// <summary>CPU threads for torch; 0 means the machine's core count. Thread count can change the last bits of a result.</summary>
    public int Threads { get; init; }
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;

    [System.Text.Json.Serialization.JsonIgnore]
    public int ResolvedThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new HarnessException($"learning rate {LearningRate} must be a positive number.");
        if (BatchSize < 1) throw new HarnessException($"batch size {BatchSize} must be at least 1.");
        if (Epochs < 0) throw new HarnessException($"epochs {Epochs} must be 0 or more.");
        if (MaxSteps < 0) throw new HarnessException($"max steps {MaxSteps} must be 0 (no limit) or more.");
        if (Threads < 0) throw new HarnessException($"threads {Threads} must be 0 (all cores) or more.");
    }
}
