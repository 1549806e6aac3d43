using System.Text.Json;
using Harness.Data;
using Harness.Populations;
using Harness.Runs;
using Harness.Training;
using static TorchSharp.torch;

namespace Harness.Study;

/// <summary>
/// What a study's probes share: the original model θ₀ (never modified), its data and training settings, the study's probe
/// settings, the kernel's top-k neighbours and their fingerprint inputs (where a probe reads them), the matrix's population
/// and its models (where a probe reads them), and the thread count of one point's computation.
/// </summary>
public sealed class ProbeRun
{
    public required ProbeSettings Settings { get; init; }
    public required nn.Module<Tensor, Tensor> Original { get; init; }
    public required string ModelName { get; init; }
    public required TrainingSettings Training { get; init; }
    public required DataSplits Data { get; init; }
    public required Device Device { get; init; }
    /// <summary>The Table 5 settings of the data set's unlearners (resolved from its profile).</summary>
    public required Func<string, Unlearning.UnlearnSettings> Unlearner { get; init; }
    /// <summary>Row i of the kernel's top-k neighbour lists (−1 padded), and the fingerprint inputs of those lists.</summary>
    public required Func<int, ReadOnlyMemory<int>> Neighbors { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> NeighborInputs { get; init; }
    /// <summary>The matrix's population (null where no ground truth reads it), its summary's fingerprint, and its models loaded from the cache.</summary>
    public Population? Population { get; init; }
    public string? PopulationFingerprint { get; init; }
    public Func<IReadOnlyList<nn.Module<Tensor, Tensor>>>? PopulationModels { get; init; }

    public Population RequirePopulation(string probe) => Population ?? throw new InvalidOperationException($"probe {probe} needs the matrix's population.");
}

/// <summary>
/// A per-point computation a study stores in points/INDEX.json under its <see cref="Name"/>, which one or more ground truths
/// read (<see cref="GroundTruth.Probe"/>). A probe declares what it reads (the population, the kernel's neighbours), the
/// fingerprint inputs that determine its result, and computes that result per point. A new one is a file here, referenced
/// by the ground truths that read it: nothing else names it.
/// </summary>
public abstract class Probe(string name)
{
    /// <summary>Its key in points/INDEX.json.</summary>
    public string Name { get; } = name;
    /// <summary>Whether it compares with the matrix's population (its tables, or its models).</summary>
    public virtual bool ReadsPopulation => false;
    /// <summary>How many of the kernel's top-k neighbours per point it reads with these settings (0: none).</summary>
    public virtual int NeighborsRead(ProbeSettings settings) => 0;
    /// <summary>Everything that determines its result besides the model and the point (keys shared between probes must agree).</summary>
    public abstract IEnumerable<KeyValuePair<string, string>> Inputs(ProbeRun run);
    /// <summary>What every point's computation shares (a test set on the device, the population's models), released after the points.</summary>
    public abstract PointProbe Start(ProbeRun run);
    /// <summary>A setting as a fingerprint input.</summary>
    protected static KeyValuePair<string, string> Input(string key, string value) => new(key, value);
}

/// <summary>A probe started for a run's points: <see cref="Measure"/> computes one point's result (a JSON-serialisable record).</summary>
public abstract class PointProbe : IDisposable
{
    public abstract object Measure(int index);
    public virtual void Dispose() { }
}

/// <summary>A probe whose stored result is a <typeparamref name="TResult"/>, read back by the ground truths from a point's record.</summary>
public abstract class Probe<TResult>(string name) : Probe(name) where TResult : class
{
    /// <summary>This probe's result in a point's record.</summary>
    public TResult Of(StudyPointResult point) => point.Probes.TryGetValue(Name, out var e)
        ? Json.Deserialize<TResult>(e.GetRawText())
        : throw new InvalidOperationException($"point {point.Index} has no result of probe {Name}.");

    /// <summary>Starts a run whose per-point computation is <paramref name="measure"/> and whose shared state is released by <paramref name="dispose"/>.</summary>
    protected static PointProbe Started(Func<int, TResult> measure, Action? dispose = null) => new Running(measure, dispose);

    sealed class Running(Func<int, TResult> measure, Action? dispose) : PointProbe
    {
        public override object Measure(int index) => measure(index);
        public override void Dispose() => dispose?.Invoke();
    }
}
