using System.Buffers.Binary;
using FluentAssertions;
using Harness.Data;
using NUnit.Framework;

namespace Harness.Tests;

public class DataLoaderTests
{
    string tmp = "";

    [SetUp] public void SetUp() => tmp = TestSupport.TempDir("data");
    [TearDown] public void TearDown() => Directory.Delete(tmp, true);

    static string CifarDir => Path.Combine(TestSupport.Fixtures, "cifar10-mini", "cifar-10-batches-bin");
    static string SvhnDir => Path.Combine(TestSupport.Fixtures, "svhn-mini");

    /// <summary>The fixtures draw a bright 3-pixel vertical stripe from column (3·label) mod 32 in every row and channel.</summary>
    static void ShouldHaveStripe(ImageSet set, int i, int label)
    {
        int start = 3 * label % 32;
        for (int c = 0; c < set.Channels; c++)
            for (int r = 0; r < set.Height; r++)
                for (int col = 0; col < set.Width; col++)
                {
                    bool inStripe = col >= start && col < start + 3;
                    byte p = set.Pixel(i, c, r, col);
                    if (inStripe) p.Should().BeGreaterThan(150, $"image {i} channel {c} row {r} column {col} lies in the stripe");
                    else p.Should().BeLessThan(100, $"image {i} channel {c} row {r} column {col} lies outside the stripe");
                }
    }

    [Test]
    public void CifarBinaryReadsLabelsAndChannelPlanes()
    {
        var train = CifarBinaryReader.Read(new[] { Path.Combine(CifarDir, "data_batch_1.bin") });
        var test = CifarBinaryReader.Read(new[] { Path.Combine(CifarDir, "test_batch.bin") });
        train.Count.Should().Be(10);
        test.Count.Should().Be(5);
        (train.Channels, train.Height, train.Width).Should().Be((3, 32, 32));
        for (int i = 0; i < train.Count; i++)
        {
            train.Labels[i].Should().Be(i % 10);
            ShouldHaveStripe(train, i, i % 10);
        }
        for (int i = 0; i < test.Count; i++) ShouldHaveStripe(test, i, (int)test.Labels[i]);
    }

    [TestCase("train_32x32.mat", 12, TestName = "SvhnMatReadsCompressedFile")]
    [TestCase("test_32x32.mat", 6, TestName = "SvhnMatReadsUncompressedFile")]
    public void SvhnMatReadsLabelsAndColumnMajorPixels(string file, int count)
    {
        var set = SvhnReader.Read(Path.Combine(SvhnDir, file));
        var expected = File.ReadAllLines(Path.Combine(SvhnDir, file + ".labels.txt")).Where(l => l.Length > 0).Select(long.Parse).ToArray();
        set.Count.Should().Be(count);
        set.Labels.Should().Equal(expected);
        (set.Channels, set.Height, set.Width).Should().Be((3, 32, 32));
        for (int i = 0; i < set.Count; i++) ShouldHaveStripe(set, i, (int)set.Labels[i]);
    }

    [Test]
    public void DeclaredDatasetsLoadThroughTheRegistry()
    {
        var yaml = Path.Combine(tmp, "experiments.yaml");
        File.WriteAllText(yaml, $"datasets:\n  - name: my-cifar\n    format: cifar10-binary\n    path: {CifarDir}\n    profile: cifar10\n    validation: 2\n");
        Directory.CreateDirectory(Path.Combine(tmp, "c"));
        foreach (var i in Enumerable.Range(1, 5))
            File.Copy(Path.Combine(CifarDir, "data_batch_1.bin"), Path.Combine(tmp, "c", $"data_batch_{i}.bin"));
        File.Copy(Path.Combine(CifarDir, "test_batch.bin"), Path.Combine(tmp, "c", "test_batch.bin"));
        File.WriteAllText(yaml, "datasets:\n  - name: my-cifar\n    format: cifar10-binary\n    path: c\n    profile: cifar10\n    validation: 2\n");
        var spec = DatasetRegistry.WithDeclared(yaml).Get("my-cifar");
        var profile = Harness.Profiles.DatasetProfiles.Of("my-cifar");
        (profile.Dataset, profile.Model, profile.Table5).Should().Be(("my-cifar", "resnet18", Harness.Profiles.Table5Group.CifarLike), "it takes the profile it names, under its own name");
        var data = DatasetLoader.Load(spec);
        data.Train.Count.Should().Be(48);
        data.Validation.Count.Should().Be(2);
        data.Test.Count.Should().Be(5);
    }

    [Test]
    public void MnistSplitsIntoPaperSizes()
    {
        var d = TestSupport.Mnist;
        (d.Train.Count, d.Validation.Count, d.Test.Count).Should().Be((54000, 6000, 10000));
        (d.Train.Channels, d.Train.Height, d.Train.Width).Should().Be((1, 28, 28));
        var (train, val) = DatasetLoader.Split(60000, 6000, 0);
        train.Intersect(val).Should().BeEmpty();
        train.Should().Equal(d.TrainSourceIndex);
        DatasetLoader.Split(60000, 6000, 0).Validation.Should().Equal(val, "the split is seeded");
        DatasetLoader.Split(60000, 6000, 1).Validation.Should().NotEqual(val);
        d.Train.Labels.Distinct().Should().HaveCount(10);
    }

    // ---- bad inputs: one clear error each ----

    static byte[] IdxImages(int n, int rows = 2, int cols = 2, uint magic = 0x803)
    {
        var b = new byte[16 + n * rows * cols];
        BinaryPrimitives.WriteUInt32BigEndian(b, magic);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)n);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), (uint)rows);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)cols);
        return b;
    }

    static byte[] IdxLabels(int n)
    {
        var b = new byte[8 + n];
        BinaryPrimitives.WriteUInt32BigEndian(b, 0x801);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)n);
        return b;
    }

    string Write(string name, byte[] bytes) { var p = Path.Combine(tmp, name); File.WriteAllBytes(p, bytes); return p; }

    [Test]
    public void TruncatedIdxFileIsReported()
    {
        var img = Write("img", IdxImages(5)[..30]);
        var act = () => IdxReader.ReadPair(img, Write("lab", IdxLabels(5)));
        act.Should().Throw<DataFormatException>().WithMessage($"{img}: truncated idx file*");
    }

    [Test]
    public void WrongIdxMagicIsReported()
    {
        var img = Write("img", IdxImages(5, magic: 0x801));
        var act = () => IdxReader.ReadPair(img, Write("lab", IdxLabels(5)));
        act.Should().Throw<DataFormatException>().WithMessage($"{img}: wrong idx magic number 0x00000801*");
    }

    [Test]
    public void LabelImageCountMismatchIsReported()
    {
        var lab = Write("lab", IdxLabels(4));
        var act = () => IdxReader.ReadPair(Write("img", IdxImages(5)), lab);
        act.Should().Throw<DataFormatException>().WithMessage($"{lab}: label/image count mismatch: 4 labels for 5 images*");
    }

    [Test]
    public void CifarFileOfWrongLengthIsReported()
    {
        var bytes = File.ReadAllBytes(Path.Combine(CifarDir, "test_batch.bin"));
        var bad = Write("data_batch_1.bin", bytes[..(bytes.Length - 7)]);
        var act = () => CifarBinaryReader.Read(new[] { bad });
        act.Should().Throw<DataFormatException>().WithMessage($"{bad}: length {bytes.Length - 7} is not a multiple of 3073*");
    }

    [Test]
    public void MatFileWithoutXIsReported()
    {
        // Rename the variable X to Z in the uncompressed fixture: same structure, no X.
        var bytes = File.ReadAllBytes(Path.Combine(SvhnDir, "test_32x32.mat"));
        int at = IndexOfName(bytes, "X");
        bytes[at] = (byte)'Z';
        var bad = Write("no_x.mat", bytes);
        var act = () => SvhnReader.Read(bad);
        act.Should().Throw<DataFormatException>().WithMessage($"{bad}: no variable 'X' (found: *Z*");
    }

    [Test]
    public void TruncatedMatFileIsReported()
    {
        var bytes = File.ReadAllBytes(Path.Combine(SvhnDir, "test_32x32.mat"));
        var bad = Write("short.mat", bytes[..(bytes.Length / 2)]);
        var act = () => SvhnReader.Read(bad);
        act.Should().Throw<DataFormatException>().WithMessage($"{bad}: truncated MAT-file*");
    }

    /// <summary>Offset of a one-letter array name stored as a small data element (type miINT8 = 1, 1 byte).</summary>
    static int IndexOfName(byte[] b, string name)
    {
        for (int i = 128; i + 4 < b.Length; i += 4)
            if (b[i] == 1 && b[i + 1] == 0 && b[i + 2] == 1 && b[i + 3] == 0 && b[i + 4] == (byte)name[0]) return i + 4;
        throw new InvalidOperationException("name not found");
    }

    [Test]
    public void MissingFilesNameTheExpectedPathsAndHowToGetThem()
    {
        var act = () => DatasetLoader.Load(DatasetRegistry.Cifar10, tmp);
        act.Should().Throw<HarnessException>()
            .WithMessage($"data set 'cifar10' (cifar10-binary) is missing files:*{Path.Combine(tmp, "cifar10", "cifar-10-batches-bin", "data_batch_1.bin")}*cifar-10-binary.tar.gz*");
    }

    [Test]
    public void UnknownDatasetNameIsReported()
    {
        var act = () => new DatasetRegistry().Get("mnits");
        act.Should().Throw<HarnessException>().WithMessage("unknown data set 'mnits'; allowed: cifar10, fashion-mnist, mnist, svhn*");
    }

    [Test]
    public void ADeclaredDatasetNamesTheProfileItTakesOrIsAnErrorNamingTheField()
    {
        var yaml = Path.Combine(tmp, "p.yaml");
        File.WriteAllText(yaml, "datasets:\n  - name: mine\n    format: idx\n    path: somewhere\n");
        var missing = () => DatasetRegistry.WithDeclared(yaml);
        missing.Should().Throw<HarnessException>().WithMessage($"{yaml}:2: data set 'mine': missing 'profile'*one of mnist, cifar10, svhn.");
        File.WriteAllText(yaml, "datasets:\n  - name: mine\n    format: idx\n    path: somewhere\n    profile: imagenet\n");
        var unknown = () => DatasetRegistry.WithDeclared(yaml);
        unknown.Should().Throw<HarnessException>().WithMessage($"{yaml}:5: data set 'mine': unknown profile 'imagenet'*");
        var undeclared = () => Harness.Profiles.DatasetProfiles.Of("never-declared");
        undeclared.Should().Throw<HarnessException>().WithMessage("data set 'never-declared' has no defaults: declare it*`profile:`*", "nothing takes MNIST's defaults silently");
        Harness.Profiles.DatasetProfiles.Of("fashion-mnist").Should().Be(Harness.Profiles.DatasetProfiles.Of("mnist") with { Dataset = "fashion-mnist" }, "Fashion-MNIST's entry names MNIST's profile");
    }

    [Test]
    public void DeclaredDatasetWithUnknownFormatNamesTheLine()
    {
        var yaml = Path.Combine(tmp, "e.yaml");
        File.WriteAllText(yaml, "datasets:\n  - name: x\n    format: png\n    path: somewhere\n");
        var act = () => DatasetRegistry.WithDeclared(yaml);
        act.Should().Throw<HarnessException>().WithMessage($"{yaml}:3: unknown format 'png'*");
    }
}
