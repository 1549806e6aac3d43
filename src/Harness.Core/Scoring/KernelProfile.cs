
namespace Harness.Scoring;

/// <summary>
/// The name of a scoring profile by its content, as cell ids and result folders use it: space and bandwidth always
/// (`input-median`, `joint-dimension`), then whatever else differs from the defaults that changes κ or the scores
/// (`-penultimate`, `-imq`, `-logit`, …).
/// </summary>
public static class KernelProfile
{
    public static string Label(ScoringOptions o)
    {
        var d = new ScoringOptions();
        var parts = new List<string> { SettingField.Format(o.Space), o.Kernel == KernelKind.Imq ? "imq" : Safe(SettingField.Format(o.Bandwidth)) };
        if (o.Features != d.Features) parts.Add(SettingField.Format(o.Features));
        if (o.Kernel == KernelKind.Imq && (o.ImqC != d.ImqC || o.ImqBeta != d.ImqBeta)) parts.Add($"c{Safe(SettingField.Format(o.ImqC))}b{Safe(SettingField.Format(o.ImqBeta))}");
        if (o.Score != d.Score) parts.Add(SettingField.Format(o.Score));
        if (o.Diagonal != d.Diagonal) parts.Add("diag-" + SettingField.Format(o.Diagonal));
        if (o.Standardize != d.Standardize) parts.Add("std-" + SettingField.Format(o.Standardize));
        if (o.Ssn != d.Ssn) parts.Add("ssn-" + SettingField.Format(o.Ssn));
        if (o.Precision != d.Precision) parts.Add(SettingField.Format(o.Precision));
        return string.Join("-", parts);
    }

    /// <summary>A number as a path-safe token: `0.5` → `h0p5`.</summary>
    static string Safe(string v) => char.IsDigit(v[0]) || v[0] == '-' ? "h" + v.Replace('.', 'p').Replace('-', 'm') : v.Replace('_', '-');
}
