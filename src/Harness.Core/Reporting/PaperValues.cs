namespace Harness.Reporting;

/// <summary>
/// The numbers the paper reports (Tables 1–3, k = 0, five points per side), copied from its text for the reproduction report.
/// Columns: GradAscent, FineTune, Retrain (the paper has no Fisher column). Table 2's extracted text lacks the
/// "Forget, Retrain, Difficult" column; it is null there.
/// </summary>
public static class PaperValues
{
    public static readonly string[] Unlearners = { "gradascent", "finetune", "retrain" };
    public static readonly string[] Scorers = { "pc", "mksd", "msksd", "ssn", "emsksd" };

    /// <summary>Table 1 rows: forget (GA easy, GA hard, FT easy, FT hard, RT easy, RT hard), then test (same order).</summary>
    public static readonly Dictionary<string, double?[][]> Table1 = new()
    {
        ["mnist"] = new double?[][]
        {
            new double?[] { 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99 },
            new double?[] { 0.60, 1.00, 1.00, 1.00, 1.00, 1.00, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99 },
            new double?[] { 0.00, 1.00, 0.60, 1.00, 0.40, 1.00, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99 },
            new double?[] { 0.40, 1.00, 0.40, 1.00, 0.60, 1.00, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99 },
            new double?[] { 0.00, 1.00, 0.60, 1.00, 0.60, 1.00, 0.99, 0.99, 0.99, 0.99, 0.99, 0.99 },
        },
        ["cifar10"] = new double?[][]
        {
            new double?[] { 0.00, 0.00, 1.00, 1.00, 1.00, 1.00, 0.59, 0.62, 0.86, 0.85, 0.99, 0.86 },
            new double?[] { 0.00, 0.80, 1.00, 1.00, 1.00, 1.00, 0.37, 0.48, 0.85, 0.83, 0.86, 0.86 },
            new double?[] { 0.00, 0.20, 1.00, 1.00, 0.60, 1.00, 0.70, 0.49, 0.86, 0.86, 0.86, 0.86 },
            new double?[] { 0.00, 0.00, 0.80, 1.00, 0.80, 1.00, 0.71, 0.54, 0.85, 0.84, 0.86, 0.86 },
            new double?[] { 0.00, 0.00, 0.80, 1.00, 0.60, 1.00, 0.73, 0.53, 0.85, 0.83, 0.86, 0.86 },
        },
        ["svhn"] = new double?[][]
        {
            new double?[] { 0.20, 0.00, 1.00, 1.00, 1.00, 1.00, 0.82, 0.76, 0.96, 0.95, 0.96, 0.96 },
            new double?[] { 0.00, 0.20, 1.00, 1.00, 1.00, 1.00, 0.45, 0.74, 0.96, 0.96, 0.96, 0.96 },
            new double?[] { 0.00, 0.00, 1.00, 1.00, 0.40, 1.00, 0.81, 0.75, 0.96, 0.96, 0.96, 0.96 },
            new double?[] { 0.00, 0.00, 0.80, 1.00, 0.20, 1.00, 0.78, 0.84, 0.96, 0.96, 0.96, 0.96 },
            new double?[] { 0.00, 0.00, 0.20, 1.00, 0.00, 1.00, 0.89, 0.81, 0.96, 0.96, 0.96, 0.96 },
        },
    };

    /// <summary>Table 2 rows, same layout as Table 1 (losses).</summary>
    public static readonly Dictionary<string, double?[][]> Table2 = new()
    {
        ["mnist"] = new double?[][]
        {
            new double?[] { 0.00, 0.00, 0.00, 0.00, 0.00, null, 0.03, 0.03, 0.00, 0.04, 0.03, 0.03 },
            new double?[] { 1.37, 0.00, 0.07, 0.00, 0.08, null, 0.03, 0.03, 0.04, 0.04, 0.03, 0.03 },
            new double?[] { 4.64, 0.01, 1.08, 0.10, 1.10, null, 0.04, 0.03, 0.04, 0.04, 0.03, 0.03 },
            new double?[] { 4.73, 0.00, 1.68, 0.00, 1.09, null, 0.04, 0.03, 0.04, 0.04, 0.03, 0.03 },
            new double?[] { 3.05, 0.00, 2.20, 0.00, 2.13, null, 0.04, 0.03, 0.04, 0.04, 0.03, 0.03 },
        },
        ["cifar10"] = new double?[][]
        {
            new double?[] { 5.13, 5.22, 0.00, 0.00, 0.00, null, 5.99, 5.19, 0.49, 0.52, 0.48, 0.46 },
            new double?[] { 4.80, 1.40, 0.04, 0.01, 0.06, null, 11.10, 6.13, 0.53, 0.61, 0.46, 0.48 },
            new double?[] { 5.64, 4.07, 0.01, 0.00, 1.27, null, 3.69, 7.69, 0.49, 0.49, 0.49, 0.47 },
            new double?[] { 5.51, 5.21, 0.34, 0.00, 0.46, null, 3.47, 6.49, 0.54, 0.55, 0.49, 0.48 },
            new double?[] { 5.48, 5.79, 1.10, 0.00, 0.57, null, 2.89, 8.06, 0.53, 0.55, 0.48, 0.47 },
        },
        ["svhn"] = new double?[][]
        {
            new double?[] { 3.75, 3.92, 0.00, 0.00, 0.19, null, 2.15, 3.06, 0.18, 0.18, 0.18, 0.18 },
            new double?[] { 5.12, 1.71, 0.00, 0.00, 0.00, null, 9.36, 2.81, 0.17, 0.18, 0.18, 0.18 },
            new double?[] { 4.51, 2.33, 0.05, 0.00, 1.53, null, 1.74, 2.39, 0.18, 0.17, 0.18, 0.18 },
            new double?[] { 3.80, 4.66, 1.59, 0.00, 5.41, null, 2.25, 2.18, 0.18, 0.18, 0.17, 0.18 },
            new double?[] { 3.41, 4.25, 2.70, 0.00, 11.07, null, 1.31, 2.22, 0.18, 0.18, 0.18, 0.18 },
        },
    };

    /// <summary>Table 3 rows: easy (GA, FT, RT), then hard (GA, FT, RT).</summary>
    public static readonly Dictionary<string, double?[][]> Table3 = new()
    {
        ["mnist"] = new double?[][]
        {
            new double?[] { 0.00, 0.00, 0.00, 0.00, 0.00, 0.00 },
            new double?[] { 0.40, 0.00, 0.00, 0.00, 0.00, 0.00 },
            new double?[] { 1.00, 0.40, 0.60, 0.00, 0.00, 0.00 },
            new double?[] { 0.60, 0.60, 0.40, 0.00, 0.00, 0.00 },
            new double?[] { 1.00, 0.40, 0.40, 0.00, 0.00, 0.00 },
        },
        ["cifar10"] = new double?[][]
        {
            new double?[] { 1.00, 0.00, 0.00, 1.00, 0.00, 0.00 },
            new double?[] { 0.80, 0.00, 0.00, 0.20, 0.00, 0.20 },
            new double?[] { 1.00, 0.00, 0.40, 0.80, 0.00, 0.00 },
            new double?[] { 1.00, 0.20, 0.20, 1.00, 0.00, 0.00 },
            new double?[] { 1.00, 0.20, 0.40, 1.00, 0.00, 0.20 },
        },
        ["svhn"] = new double?[][]
        {
            new double?[] { 0.80, 0.00, 0.00, 0.80, 0.00, 0.00 },
            new double?[] { 0.00, 0.00, 0.20, 0.80, 0.00, 0.00 },
            new double?[] { 1.00, 0.00, 0.60, 1.00, 0.00, 0.00 },
            new double?[] { 1.00, 0.20, 0.80, 1.00, 0.00, 0.00 },
            new double?[] { 1.00, 0.80, 1.00, 1.00, 0.00, 0.00 },
        },
    };

    /// <summary>The paper's value for (table, data set, scorer, unlearner, side, part), or null where it reports none.</summary>
    public static double? Lookup(int table, string dataset, string scorer, string unlearner, string side, string part)
    {
        int row = Array.IndexOf(Scorers, scorer), u = Array.IndexOf(Unlearners, unlearner);
        if (row < 0 || u < 0) return null;
        int s = side == "hard" ? 1 : 0;
        if (table == 3)
            return part != "forget" ? null : Table3.TryGetValue(dataset, out var t3) ? t3[row][s * 3 + u] : null;
        if (part != "forget" && part != "test") return null; // e.g. Table 1's drop: the paper does not report it
        var t = table == 1 ? Table1 : Table2;
        if (!t.TryGetValue(dataset, out var rows)) return null;
        return rows[row][(part == "test" ? 6 : 0) + u * 2 + s];
    }
}
