namespace Harness.Scoring.Scorers;

/// <summary>
/// The kinds of per-point quantity a scorer reads (<see cref="IScorer.Reads"/>), so the code that runs scorers knows what
/// to provide without knowing their names: the original model's outputs (p, loss, margin, entropy, the input-gradient
/// norm), the kernel pass's row statistics, one backward per point for the parameter gradient, the trainer's records,
/// the models of the matrix's population that never saw a point, and a quantity of the scorer's own, which it measures on
/// the model itself (<see cref="IScorer.Measure"/>).
/// </summary>
[Flags]
public enum Quantities
{
    None = 0,
    ModelOutputs = 1,
    KernelRows = 2,
    ParameterGradients = 4,
    LearningEvents = 8,
    Population = 16,
    Own = 32,
}
