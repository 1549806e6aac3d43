
namespace Harness.Data;

/// <summary>Finds a data set's files, reads them in their format and splits train into train and a seeded validation set.</summary>
public static class DatasetLoader
{
    public static DataSplits Load(DatasetSpec spec, string? dataRoot = null, int? trainLimit = null)
    {
        var dir = ResolveFolder(spec, Paths.DataRoot(dataRoot));
        var (trainFiles, testFiles) = spec.ExpectedFiles();
        var full = ReadFiles(spec, dir, trainFiles);
        var test = ReadFiles(spec, dir, testFiles);
        if (spec.ValidationSize >= full.Count)
            throw new HarnessException($"data set '{spec.Name}': validation size {spec.ValidationSize} leaves no training images (the files hold {full.Count}).");
        var (trainIdx, valIdx) = Split(full.Count, spec.ValidationSize, spec.SplitSeed);
        if (trainLimit is int n && n > 0 && n < trainIdx.Length) trainIdx = trainIdx[..n];
        return new DataSplits(spec.Name, full.Subset(trainIdx), full.Subset(valIdx), test, trainIdx);
    }

    /// <summary>Throws the missing-files error when the data set's files are not all present; reads nothing.</summary>
    public static void CheckPresent(DatasetSpec spec, string? dataRoot = null) => ResolveFolder(spec, Paths.DataRoot(dataRoot));

    /// <summary>The held-out validation indices are the first <paramref name="validation"/> of a seeded permutation; both lists come back ascending.</summary>
    public static (int[] Train, int[] Validation) Split(int count, int validation, int seed)
    {
        var perm = Enumerable.Range(0, count).ToArray();
        var rng = new Random(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
        var val = perm[..validation];
        var train = perm[validation..];
        Array.Sort(val);
        Array.Sort(train);
        return (train, val);
    }

    static ImageSet ReadFiles(DatasetSpec spec, string dir, string[] names)
    {
        return spec.FileFormat.Read(names.Select(name => FindFile(dir, name)!).ToList());
    }

    /// <summary>The first candidate folder holding every expected file (plain or .gz), else one error listing what is missing and how to get it.</summary>
    static string ResolveFolder(DatasetSpec spec, string dataRoot)
    {
        var (train, test) = spec.ExpectedFiles();
        var names = train.Concat(test).ToArray();
        var candidates = new[] { System.IO.Path.Combine(dataRoot, spec.Path) }.Concat(spec.FallbackPaths ?? Array.Empty<string>()).ToArray();
        foreach (var dir in candidates)
            if (names.All(n => FindFile(dir, n) != null)) return dir;
        var primary = candidates[0];
        var missing = names.Where(n => FindFile(primary, n) == null).Select(n => System.IO.Path.Combine(primary, n));
        throw new HarnessException(
            $"data set '{spec.Name}' ({spec.Format}) is missing files:\n  {string.Join("\n  ", missing)}\n" +
            (candidates.Length > 1 ? $"(also looked in {string.Join(", ", candidates.Skip(1))})\n" : "") +
            $"To obtain them: {spec.HowToObtain}\nThe data root is --data-root, else HARNESS_DATA, else data/ in the repository.");
    }

    static string? FindFile(string dir, string name)
    {
        var p = System.IO.Path.Combine(dir, name);
        if (File.Exists(p)) return p;
        return File.Exists(p + ".gz") ? p + ".gz" : null;
    }
}
