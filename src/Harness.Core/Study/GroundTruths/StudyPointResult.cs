using Harness.Runs;

namespace Harness.Study;

/// <summary>What one point's probes computed (the ground truths other than the population's), as results/&lt;study&gt;/points/&lt;index&gt;.json holds them.</summary>
public sealed record StudyPointResult(int Index, long Label, StepsProbe? Steps, ExpansionProbe? Expansion, double Seconds, Fingerprint Fingerprint, string GitCommit,
    OracleProbe? Oracle = null, UliraProbe? Ulira = null);
