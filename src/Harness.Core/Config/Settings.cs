using System.Globalization;
using System.Reflection;

namespace Harness.Config;

/// <summary>
/// Marks a property of a settings record as a user-settable setting: its YAML key (the command-line option is the same
/// with '-' for '_'), one line of help, and its range. Parsing, range checks, help and YAML keys all come from here.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingAttribute(string key, string help) : Attribute
{
    public string Key { get; } = key;
    public string Help { get; } = help;
    public double Min { get; init; } = double.NegativeInfinity;
    public double Max { get; init; } = double.PositiveInfinity;
    public bool ExclusiveMin { get; init; }
    /// <summary>For a name from a registry (a model, say): a type with `public static IReadOnlyCollection&lt;string&gt; Names` and `public static string Parse(string)`.</summary>
    public Type? Names { get; init; }
}

/// <summary>
/// A setting value that is neither a number nor a closed set (e.g. the bandwidth: `median|dimension|number`). Its type has
/// `public static object Parse(string)` (throwing <see cref="HarnessException"/>) and `public static string Allowed`.
/// </summary>
public interface ISettingValue { }

/// <summary>One setting of a settings record, as <see cref="SettingAttribute"/> declares it.</summary>
public sealed record SettingField(string Key, string Help, PropertyInfo Property, double Min, double Max, bool ExclusiveMin, Type? Names = null)
{
    /// <summary>The value type, without Nullable.</summary>
    public Type Type => Nullable.GetUnderlyingType(Property.PropertyType) ?? Property.PropertyType;

    public string Option => "--" + Key.Replace('_', '-');

    /// <summary>What the help shows as the value: `integer`, `number`, `path`, or the allowed names `a|b`.</summary>
    public string TypeName =>
        Names != null ? string.Join("|", ((IEnumerable<string>)Names.GetProperty("Names")!.GetValue(null)!).Order(StringComparer.Ordinal)) :
        typeof(ISettingValue).IsAssignableFrom(Type) ? (string)Type.GetProperty("Allowed")!.GetValue(null)! :
        Type.IsEnum ? string.Join("|", Choice.Names(Type)) : Type == typeof(int) ? "integer" : Type == typeof(double) ? "number" : "path";

    /// <summary>Parses what a user typed; a bad value throws a <see cref="HarnessException"/> naming the value and what is allowed.</summary>
    public object Parse(string raw)
    {
        if (Type.IsEnum) return Choice.Parse(Type, raw);
        var parser = Names ?? (typeof(ISettingValue).IsAssignableFrom(Type) ? Type : null);
        if (parser != null)
        {
            try { return parser.GetMethod("Parse", new[] { typeof(string) })!.Invoke(null, new object[] { raw })!; }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is HarnessException h) { throw h; }
        }
        if (Type == typeof(int)) return Choice.ParseInt(raw, double.IsInfinity(Min) ? int.MinValue : (long)Min, double.IsInfinity(Max) ? int.MaxValue : (long)Max);
        if (Type == typeof(double)) return Choice.ParseDouble(raw, Min, Max, ExclusiveMin);
        if (Type == typeof(string)) return raw.Length > 0 ? raw : throw new HarnessException("an empty value is not allowed.");
        throw new NotSupportedException($"setting {Key}: type {Type}");
    }

    public static string Format(object? value) => value switch
    {
        null => "none",
        Enum e => Choice.Name(e.GetType(), e),
        double d => d.ToString("G", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The range check of a value set in code rather than parsed (e.g. a test's settings).</summary>
    public string? Problem(object? value)
    {
        double? v = value switch { int i => i, double d => d, _ => null };
        if (v is not double x) return null;
        if (!double.IsFinite(x)) return $"{Key} {Format(value)} must be a finite number.";
        bool low = ExclusiveMin ? !(x > Min) : !(x >= Min);
        if (low || x > Max) return $"{Key} {Format(value)} is out of range {(ExclusiveMin ? "(" : "[")}{Format(Min)}, {Format(Max)}].";
        return null;
    }
}

/// <summary>The settings declared on a record type, and the two operations on them: set by key, validate.</summary>
public static class SettingsSchema
{
    static readonly Dictionary<Type, IReadOnlyList<SettingField>> Cache = new();

    public static IReadOnlyList<SettingField> Fields(Type type)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(type, out var f)) return f;
            // Base-type settings first (batch before lr), in declaration order within each type.
            var chain = new List<Type>();
            for (var t = type; t != null && t != typeof(object); t = t.BaseType) chain.Insert(0, t);
            var list = chain.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Select(p => (p, a: p.GetCustomAttribute<SettingAttribute>()))
                .Where(x => x.a != null)
                .Select(x => new SettingField(x.a!.Key, x.a.Help, x.p, x.a.Min, x.a.Max, x.a.ExclusiveMin, x.a.Names))
                .ToList();
            return Cache[type] = list;
        }
    }

    public static SettingField? Field(Type type, string key) => Fields(type).FirstOrDefault(f => f.Key == key);

    /// <summary>A copy of a settings record with the given keys replaced (values as <see cref="SettingField.Parse"/> returns them).</summary>
    public static T With<T>(T settings, IReadOnlyDictionary<string, object> values) where T : class
    {
        if (values.Count == 0) return settings;
        var type = settings.GetType();
        var clone = (T)(type.GetMethod("<Clone>$")?.Invoke(settings, null) ?? throw new NotSupportedException($"{type.Name} is not a record"));
        foreach (var (key, value) in values)
        {
            var field = Field(type, key) ?? throw new HarnessException($"'{key}' is not a setting of {type.Name}; settings: {string.Join(", ", Fields(type).Select(f => f.Key))}.");
            field.Property.SetValue(clone, value);
        }
        return clone;
    }

    /// <summary>The declared settings that hold a value (null ones left out), by key: what <see cref="With"/> takes to carry them onto another record with the same settings.</summary>
    public static IReadOnlyDictionary<string, object> Given(object settings) =>
        Fields(settings.GetType()).Select(f => (f.Key, Value: f.Property.GetValue(settings))).Where(x => x.Value != null).ToDictionary(x => x.Key, x => x.Value!);

    /// <summary>Every declared setting within its range; the first problem as a <see cref="HarnessException"/> naming the owner.</summary>
    public static void Validate(object settings, string owner)
    {
        foreach (var f in Fields(settings.GetType()))
            if (f.Problem(f.Property.GetValue(settings)) is { } problem)
                throw new HarnessException($"{owner}: {problem}");
    }

    /// <summary>The settings as key = value pairs, for logs and reports.</summary>
    public static string Describe(object settings) =>
        string.Join(", ", Fields(settings.GetType()).Select(f => $"{f.Key} {SettingField.Format(f.Property.GetValue(settings))}"));
}
