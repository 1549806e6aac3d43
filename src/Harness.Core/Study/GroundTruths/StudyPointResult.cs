using System.Text.Json;
using System.Text.Json.Serialization;
using Harness.Runs;

namespace Harness.Study;

/// <summary>
/// What one point's probes computed, as results/&lt;study&gt;/points/&lt;index&gt;.json holds them: each probe's result under its
/// name (<see cref="Probe.Name"/>), beside the point's index, label, seconds and fingerprint.
/// </summary>
public sealed record StudyPointResult(int Index, long Label, double Seconds, Fingerprint Fingerprint, string GitCommit)
{
    [JsonExtensionData] public Dictionary<string, JsonElement> Probes { get; init; } = new();

    /// <summary>The record with each probe's result, by probe name.</summary>
    public static StudyPointResult Of(int index, long label, double seconds, Fingerprint fingerprint, string gitCommit, IEnumerable<KeyValuePair<string, object>> results) =>
        new(index, label, seconds, fingerprint, gitCommit)
        {
            Probes = results.ToDictionary(r => r.Key, r => Element(r.Value)),
        };

    static JsonElement Element(object result)
    {
        using var document = JsonDocument.Parse(Json.Serialize(result));
        return document.RootElement.Clone();
    }
}
