using FluentAssertions;
using Harness.Runs;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

/// <summary>Result records carry their own SHA-256: intact ones read as before, any change to their text is found.</summary>
public class SealedRecordTests
{
    sealed record Sample(string Name, double Value, int[] Items);

    [Test]
    public void ASealedRecordReadsBackAndAnyEditIsFound()
    {
        var dir = TestSupport.TempDir("seal");
        var path = Path.Combine(dir, "r.json");
        var record = new Sample("cell", 0.9876543210123, new[] { 1, 2, 3 });
        SealedRecord.Write(path, record);
        SealedRecord.Problem(path).Should().BeNull();
        SealedRecord.IsSealed(path).Should().BeTrue();
        var back = Json.Deserialize<Sample>(File.ReadAllText(path));
        back.Name.Should().Be("cell"); back.Value.Should().Be(0.9876543210123); back.Items.Should().Equal(1, 2, 3);

        var text = File.ReadAllText(path);
        foreach (int at in new[] { text.IndexOf("0.98", StringComparison.Ordinal) + 3, text.Length - 3, 20 })
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            bytes[at] ^= 0x01; // one bit: a digit, a brace near the end, a character of the seal itself
            File.WriteAllBytes(path, bytes);
            SealedRecord.Problem(path).Should().NotBeNull($"a bit flipped at {at}");
        }
        File.WriteAllText(path, text[..(text.Length / 2)]);
        SealedRecord.Problem(path).Should().NotBeNull("cut short");
        File.WriteAllText(path, Json.Serialize(record));
        SealedRecord.Problem(path).Should().BeNull("a record written before seals is unsealed, not damaged");
        SealedRecord.IsSealed(path).Should().BeFalse();
        Directory.Delete(dir, true);
    }
}
