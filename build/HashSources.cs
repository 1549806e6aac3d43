using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// SHA-256 of a set of source files, independent of where the checkout lives, of file order and of line endings:
/// each file contributes its path relative to <see cref="Root"/> and its text with CRLF read as LF.
/// </summary>
public class HashSources : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string Root { get; set; } = "";
    [Output] public string Hash { get; set; } = "";

    public override bool Execute()
    {
        var root = Path.GetFullPath(Root);
        using var sha = SHA256.Create();
        var sb = new StringBuilder();
        foreach (var path in Files.Select(f => Path.GetFullPath(f.ItemSpec)).Distinct().OrderBy(p => p, StringComparer.Ordinal))
        {
            var rel = path.StartsWith(root, StringComparison.Ordinal) ? path.Substring(root.Length).TrimStart('/', '\\').Replace('\\', '/') : Path.GetFileName(path);
            var text = File.ReadAllText(path).Replace("\r\n", "\n");
            var fileHash = BitConverter.ToString(sha.ComputeHash(Encoding.UTF8.GetBytes(text))).Replace("-", "").ToLowerInvariant();
            sb.Append(rel).Append(' ').Append(fileHash).Append('\n');
        }
        Hash = BitConverter.ToString(sha.ComputeHash(Encoding.UTF8.GetBytes(sb.ToString()))).Replace("-", "").ToLowerInvariant().Substring(0, 16);
        return true;
    }
}
