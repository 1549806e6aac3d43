using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Harness.Config;

/// <summary>Names what a closed set of values is ("optimizer", "kernel"), for messages and help.</summary>
[AttributeUsage(AttributeTargets.Enum)]
public sealed class ChoiceOfAttribute(string what) : Attribute
{
    public string What { get; } = what;
}

/// <summary>
/// The one parser of every value a user types, on the command line or in experiments.yaml: closed sets (enums, named
/// snake_case as in JSON), integers and numbers. Each failure is a <see cref="HarnessException"/> whose message is the
/// same wherever the value came from; the caller adds where (`--optimizer: ` or `experiments.yaml:12: …training.optimizer: `).
/// </summary>
public static class Choice
{
    static readonly ConcurrentDictionary<Type, (string What, string[] Names, Array Values)> Sets = new();

    static (string What, string[] Names, Array Values) SetOf(Type t) => Sets.GetOrAdd(t, type =>
    {
        var values = Enum.GetValuesAsUnderlyingType(type);
        var names = Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)).ToArray();
        var what = type.GetCustomAttribute<ChoiceOfAttribute>()?.What ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(type.Name).Replace('_', ' ');
        return (what, names, Enum.GetValues(type));
    });

    /// <summary>The name a user types for this value (`log_softmax`, `float32`).</summary>
    public static string Name<T>(T value) where T : struct, Enum => Name(typeof(T), value);

    public static string Name(Type enumType, object value)
    {
        var set = SetOf(enumType);
        return set.Names[Array.IndexOf(set.Values, value)];
    }

    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => SetOf(typeof(T)).Names;
    public static IReadOnlyList<string> Names(Type enumType) => SetOf(enumType).Names;
    public static string What(Type enumType) => SetOf(enumType).What;

    public static T Parse<T>(string raw) where T : struct, Enum => (T)Parse(typeof(T), raw);

    public static object Parse(Type enumType, string raw)
    {
        var set = SetOf(enumType);
        int i = Array.IndexOf(set.Names, raw.Trim());
        if (i < 0) throw new HarnessException(Unknown(set.What, raw, set.Names));
        return set.Values.GetValue(i)!;
    }

    /// <summary>The message for a value outside a set, the same for enums and registries (data sets, scorers, algorithms).</summary>
    public static string Unknown(string what, string raw, IEnumerable<string> allowed) =>
        $"unknown {what} '{raw}'; allowed: {string.Join(", ", allowed)}.";

    /// <summary>A registry name (open set): the value itself when known, else the same message as an enum's.</summary>
    public static string Known(string what, string raw, IEnumerable<string> allowed)
    {
        var list = allowed.ToList();
        return list.Contains(raw) ? raw : throw new HarnessException(Unknown(what, raw, list));
    }

    public static int ParseInt(string raw, long min = int.MinValue, long max = int.MaxValue)
    {
        if (!int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new HarnessException($"'{raw}' is not an integer.");
        if (v < min || v > max) throw new HarnessException($"{v} is out of range [{Bound(min)}, {Bound(max)}].");
        return v;
    }

    public static double ParseDouble(string raw, double min = double.NegativeInfinity, double max = double.PositiveInfinity, bool exclusiveMin = false)
    {
        if (!double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new HarnessException($"'{raw}' is not a finite number.");
        if ((exclusiveMin ? !(v > min) : !(v >= min)) || v > max)
            throw new HarnessException($"{raw.Trim()} is out of range {(exclusiveMin ? "(" : "[")}{Bound(min)}, {Bound(max)}].");
        return v;
    }

    static string Bound(long b) => b >= int.MaxValue ? "∞" : b.ToString(CultureInfo.InvariantCulture);
    static string Bound(double b) => double.IsPositiveInfinity(b) || b >= double.MaxValue ? "∞" : double.IsNegativeInfinity(b) ? "−∞" : b.ToString("G", CultureInfo.InvariantCulture);
}
