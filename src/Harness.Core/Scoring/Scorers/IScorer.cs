namespace Harness.Scoring.Scorers;

/// <summary>Which end of a score marks the points hardest to unlearn (METHOD.md §1 table).</summary>
public enum HardEnd { High, Low }

/// <summary>A difficulty score by the name the YAML uses, the scores.csv column it reads, and its hard end.</summary>
public interface IScorer
{
    string Name { get; }
    string Column { get; }
    HardEnd HardEnd { get; }
    double[] Values(PointScores scores);
}
