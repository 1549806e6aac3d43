using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Harness.Scoring;

public enum BandwidthRule { Median, Dimension, Fixed }

/// <summary>
/// The RBF bandwidth rule (docs/method.md): `median` (h² = median ‖a−b‖²/2 over a seeded sample, the default),
/// `dimension` (h² = the number of feature columns the kernel sees: d, or d + C in the joint space, as HD-Explain),
/// or a number H (h = H).
/// </summary>
[JsonConverter(typeof(BandwidthJsonConverter))]
public readonly record struct Bandwidth : ISettingValue
{
    Bandwidth(BandwidthRule rule, double h) { Rule = rule; H = h; }

    public BandwidthRule Rule { get; }
    /// <summary>The fixed h of <see cref="BandwidthRule.Fixed"/>; 0 otherwise.</summary>
    public double H { get; }

    public static readonly Bandwidth Median = new(BandwidthRule.Median, 0);
    public static readonly Bandwidth Dimension = new(BandwidthRule.Dimension, 0);
    public static Bandwidth Fixed(double h) =>
        double.IsFinite(h) && h > 0 ? new(BandwidthRule.Fixed, h) : throw new HarnessException($"bandwidth {h.ToString(CultureInfo.InvariantCulture)} must be a finite number above 0.");

    public static string Allowed => "median|dimension|number";

    /// <summary>`median`, `dimension` or a number above 0; anything else is one error naming what is allowed.</summary>
    public static object Parse(string raw)
    {
        var t = raw.Trim();
        if (t.Equals("median", StringComparison.OrdinalIgnoreCase)) return Median;
        if (t.Equals("dimension", StringComparison.OrdinalIgnoreCase)) return Dimension;
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var h) && double.IsFinite(h) && h > 0) return Fixed(h);
        throw new HarnessException($"'{raw}' is not a bandwidth; allowed: median, dimension, or a number above 0 (h).");
    }

    public override string ToString() => Rule switch
    {
        BandwidthRule.Median => "median",
        BandwidthRule.Dimension => "dimension",
        _ => H.ToString("R", CultureInfo.InvariantCulture),
    };
}

sealed class BandwidthJsonConverter : JsonConverter<Bandwidth>
{
    public override Bandwidth Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => Bandwidth.Median,
        JsonTokenType.Number => Bandwidth.Fixed(reader.GetDouble()),
        _ => (Bandwidth)Bandwidth.Parse(reader.GetString() ?? "median"),
    };

    public override void Write(Utf8JsonWriter writer, Bandwidth value, JsonSerializerOptions options)
    {
        if (value.Rule == BandwidthRule.Fixed) writer.WriteNumberValue(value.H);
        else writer.WriteStringValue(value.ToString());
    }
}
