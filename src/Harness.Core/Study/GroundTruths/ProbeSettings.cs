namespace Harness.Study;

/// <summary>
/// What a study's ground truths read of its settings: the matrix whose population they use, the plain-SGD probe's rate and
/// step cap, the collateral test sample, the expansion ladder and K of U-LiRA. A study declares them in experiments.yaml
/// (<see cref="Experiments.StudySpec.Probes"/>).
/// </summary>
public sealed record ProbeSettings(string Matrix, double LearningRate, int MaxSteps, int CollateralTestSample, int[] Ladder, int UliraModels);
