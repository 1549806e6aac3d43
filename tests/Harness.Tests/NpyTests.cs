using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests;

/// <summary>.npy reading checks what the header claims against what is expected, instead of reading garbage.</summary>
public class NpyTests
{
    string dir = "";
    [SetUp] public void SetUp() => dir = TestSupport.TempDir("npy");
    [TearDown] public void TearDown() => Directory.Delete(dir, true);

    string Write<T>(T[] data, params long[] shape) where T : unmanaged
    {
        var path = Path.Combine(dir, "a.npy");
        Npy.Write<T>(path, data, shape);
        return path;
    }

    [Test]
    public void ReadsWhatItWroteWithTheExpectedShape()
    {
        var path = Write(new[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var (shape, data) = Npy.Read<int>(path, 2, -1);
        shape.Should().Equal(2, 3);
        data.Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Test]
    public void AWrongDtypeIsAnError()
    {
        var path = Write(new[] { 1f, 2f }, 2);
        var act = () => Npy.Read<int>(path);
        act.Should().Throw<HarnessException>().WithMessage($"{path}: dtype '<f4', expected '<i4' (Int32).");
    }

    [Test]
    public void AWrongShapeIsAnError()
    {
        var path = Write(new[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var act = () => Npy.Read<int>(path, 3, -1);
        act.Should().Throw<HarnessException>().WithMessage($"{path}: shape (2, 3), expected (3, any).");
        var dims = () => Npy.Read<int>(path, 6);
        dims.Should().Throw<HarnessException>().WithMessage("*shape (2, 3), expected (6).");
    }

    [Test]
    public void FortranOrderAndTruncationAreErrors()
    {
        var path = Write(new[] { 1, 2, 3, 4 }, 2, 2);
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text.Replace("'fortran_order': False", "'fortran_order': True ")));
        ((Action)(() => Npy.Read<int>(path))).Should().Throw<HarnessException>().WithMessage("*Fortran (column-major) order*");
        File.WriteAllBytes(path, bytes[..^4]);
        ((Action)(() => Npy.Read<int>(path))).Should().Throw<HarnessException>().WithMessage("*12 data bytes for shape (2, 2) of Int32; the file is truncated or corrupt.");
    }
}
