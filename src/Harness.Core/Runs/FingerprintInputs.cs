using System.Collections;

namespace Harness.Runs;

/// <summary>
/// The one builder of fingerprint inputs, so every kind of result names the same thing by the same key: `data.*` (the
/// data's content), `training.*` (the model, its checkpoint, its settings), `runtime.*` (threads, device, CPU mode),
/// `versions.*` (TorchSharp, LibTorch), `code.*` (the code versions of what computes the result), then each kind's own keys.
/// </summary>
public sealed class FingerprintInputs : IEnumerable<KeyValuePair<string, string>>
{
    readonly List<KeyValuePair<string, string>> inputs = new();

    public FingerprintInputs() { }
    public FingerprintInputs(IEnumerable<KeyValuePair<string, string>> from) => inputs.AddRange(from);

    public FingerprintInputs Add(string key, string value) { inputs.Add(new(key, value)); return this; }

    public FingerprintInputs AddRange(IEnumerable<KeyValuePair<string, string>> more) { inputs.AddRange(more); return this; }

    /// <summary>Every public property of a settings record as `prefix.key`.</summary>
    public FingerprintInputs Settings(string prefix, object settings) => AddRange(Fingerprint.Flatten(prefix, settings));

    /// <summary>The inputs without the given keys (a study point replaces the matrix's cell threads with its own).</summary>
    public FingerprintInputs Without(params string[] keys) => new(inputs.Where(kv => !keys.Contains(kv.Key)));

    /// <summary>The code versions of the given kinds (training, scoring, unlearning, study).</summary>
    public FingerprintInputs Code(params string[] kinds)
    {
        foreach (var kind in kinds) Add($"code.{kind}", CodeVersion.Of(kind));
        return this;
    }

    public Fingerprint Build() => Fingerprint.Of(inputs);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => inputs.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
