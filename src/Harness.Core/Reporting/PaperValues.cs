using System.Globalization;

namespace Harness.Reporting;

/// <summary>
/// The numbers the paper reports (Tables 1–3, k = 0, five points per side), copied from its text into
/// <c>paper-values.csv</c> (embedded): one row per (table, data set, scorer, unlearner, side, part). The paper has no
/// Fisher column, reports no Table 1 drop, and Table 2's extracted text lacks the "Forget, Retrain, Difficult" column:
/// those have no row.
/// </summary>
public static class PaperValues
{
    const string Resource = "Harness.Reporting.paper-values.csv";

    static readonly Lazy<Dictionary<(int Table, string Dataset, string Scorer, string Unlearner, string Side, string Part), double>> Values = new(Load);

    /// <summary>The paper's value for (table, data set, scorer, unlearner, side, part), or null where it reports none.</summary>
    public static double? Lookup(int table, string dataset, string scorer, string unlearner, string side, string part) =>
        Values.Value.TryGetValue((table, dataset, scorer, unlearner, side, part), out var v) ? v : null;

    static Dictionary<(int, string, string, string, string, string), double> Load()
    {
        using var stream = typeof(PaperValues).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"{Resource} is not embedded in Harness.Core.");
        using var reader = new StreamReader(stream);
        var values = new Dictionary<(int, string, string, string, string, string), double>();
        reader.ReadLine(); // header: table,dataset,scorer,unlearner,side,part,value
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var f = line.Split(',');
            values.Add((int.Parse(f[0], CultureInfo.InvariantCulture), f[1], f[2], f[3], f[4], f[5]), double.Parse(f[6], CultureInfo.InvariantCulture));
        }
        return values;
    }
}
