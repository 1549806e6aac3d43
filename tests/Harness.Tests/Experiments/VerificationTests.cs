using Harness.Numerics;
using System.Globalization;
using FluentAssertions;
using Harness.Config;
using Harness.Experiments;
using NUnit.Framework;

namespace Harness.Tests.Experiments;

public class VerificationTests
{
    string dir = "";
    [SetUp] public void SetUp() => dir = TestSupport.TempDir("verify");
    [TearDown] public void TearDown() => Directory.Delete(dir, true);

    static MatrixSpec Spec => new()
    {
        Name = "m", Datasets = new[] { "mnist" }, Scorers = new[] { "pc" }, Sides = new[] { Side.Easy }, Points = 2,
        Unlearners = new[] { "gradascent" }, Expansions = new[] { 0 }, Seeds = new[] { 0 },
    };

    static CellResult Result(int slot, double forgetAcc, double loss) => new(
        $"mnist/input-median/pc/easy/t{slot}/gradascent/k0/s0", "m", "mnist", "input-median", "pc", "easy", slot, 100 + slot, "gradascent", 0, 0,
        forgetAcc, loss, 0.99, 0.03, 0.985, 0.04, 0.5, 0.125, 0.25, 1, 0.01, new[] { 100 + slot }, new[] { true }, 0.9, 0.6, "a", "f",
        new(), new(), new { }, 2, "cpu", "0.107.0", "2.10.0", "abc");

    void WriteTables(string verified, string received)
    {
        Directory.CreateDirectory(Path.Combine(dir, "m"));
        File.WriteAllText(Verification.VerifiedPath(dir, "m"), verified);
        File.WriteAllText(MatrixTable.CsvPath(dir, "m"), received);
    }

    [Test]
    public void AChangeBeyondToleranceFailsNamingTheCellAndColumn()
    {
        var good = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01), Result(1, 0, 5.5) });
        var drifted = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01), Result(1, 0, 5.6) });
        WriteTables(good, drifted);
        var act = () => Verification.Verify(Spec, dir);
        act.Should().Throw<HarnessException>()
            .WithMessage("matrix 'm' differs from*in 1 value(s):*mnist/input-median/pc/easy/t1/gradascent/k0/s0: forget_loss: verified 5.5, received 5.6 (tolerance abs 1E-06 + rel 0.0001)*make accept MATRIX=m*");
        File.ReadAllText(Verification.ReceivedPath(dir, "m")).Should().Be(drifted);
    }

    [Test]
    public void AChangeWithinToleranceAndInSecondsPasses()
    {
        var a = Result(0, 1, 0.01);
        var b = a with { ForgetLoss = 0.01 * (1 + 1e-6), Seconds = 99 };
        WriteTables(MatrixTable.ToCsv(new[] { a }), MatrixTable.ToCsv(new[] { b }));
        var spec = Spec with { Points = 1 };
        spec.Invoking(s => Verification.Verify(s, dir)).Should().NotThrow();
        File.Exists(Verification.ReceivedPath(dir, "m")).Should().BeFalse();
    }

    [Test]
    public void AMissingCellAndAChangedTargetAreReported()
    {
        var verified = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01), Result(1, 0, 5.5) });
        var received = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01) with { Target = 7 } });
        var diffs = Verification.Compare(Spec, MatrixTable.ReadCsv(Write("v.csv", verified)), MatrixTable.ReadCsv(Write("r.csv", received)));
        diffs.Should().Equal(
            "mnist/input-median/pc/easy/t0/gradascent/k0/s0: target: verified 100, received 7",
            "mnist/input-median/pc/easy/t1/gradascent/k0/s0: in the verified table, missing from the received one");
    }

    [Test]
    public void ABaselineOfAnotherCpuClassIsUsedWhenItMatches()
    {
        var table = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01), Result(1, 0, 5.5) });
        Directory.CreateDirectory(Path.Combine(dir, "m"));
        var other = Baselines.PathOf(Path.Combine(dir, "m"), "m-cells", "portable-other-cpu");
        File.WriteAllText(other, table);
        File.WriteAllText(MatrixTable.CsvPath(dir, "m"), table);
        Verification.Verify(Spec, dir).Should().Be(other);
    }

    [Test]
    public void OnlyOtherCpuClassesBaselinesThatDifferMeanNotVerifiedRatherThanAMismatch()
    {
        var verified = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01), Result(1, 0, 5.5) });
        var received = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01), Result(1, 0, 5.6) });
        Directory.CreateDirectory(Path.Combine(dir, "m"));
        File.WriteAllText(Baselines.PathOf(Path.Combine(dir, "m"), "m-cells", "portable-other-cpu"), verified);
        File.WriteAllText(MatrixTable.CsvPath(dir, "m"), received);
        var act = () => Verification.Verify(Spec, dir);
        act.Should().Throw<NoBaselineForClassException>().WithMessage(
            $"matrix 'm': not verified: no baseline for this machine's numerics class {Harness.Numerics.NumericsClass.Current} (*). The committed baselines are for portable-other-cpu,*" +
            "m-cells.portable-other-cpu.verified.csv, differs in 1 value(s)*forget_loss: verified 5.5, received 5.6*make accept MATRIX=m*");
        File.ReadAllText(Verification.ReceivedPath(dir, "m")).Should().Be(received);

        // this class's own baseline, once there, is the one that decides: a difference is then a mismatch
        File.WriteAllText(Verification.VerifiedPath(dir, "m"), verified);
        act.Should().Throw<VerificationFailedException>().Where(e => !(e.GetType() == typeof(NoBaselineForClassException)))
            .WithMessage($"matrix 'm' differs from {Verification.VerifiedPath(dir, "m")} in 1 value(s) (the baselines of portable-other-cpu differ too)*");
    }

    [Test]
    public void NoBaselineAtAllSaysHowToMakeOne()
    {
        Directory.CreateDirectory(Path.Combine(dir, "m"));
        File.WriteAllText(MatrixTable.CsvPath(dir, "m"), MatrixTable.ToCsv(new[] { Result(0, 1, 0.01) }));
        var act = () => Verification.Verify(Spec with { Points = 1 }, dir);
        act.Should().Throw<VerificationFailedException>().Where(e => !(e.GetType() == typeof(NoBaselineForClassException)))
            .WithMessage($"{Verification.VerifiedPath(dir, "m")}: no verified baseline yet. Review * and accept it with `make accept MATRIX=m`.");
    }

    [Test]
    public void AcceptingWithNewCodeRemovesOtherClassesBaselinesOfOldCode()
    {
        var table = MatrixTable.ToCsv(new[] { Result(0, 1, 0.01), Result(1, 0, 5.5) });
        var m = Path.Combine(dir, "m");
        Directory.CreateDirectory(m);
        string Other(string cls, string? versions)
        {
            var path = Baselines.PathOf(m, "m-cells", cls);
            File.WriteAllText(path, table);
            File.WriteAllText(Path.ChangeExtension(path, ".md"), versions == null ? "# made long ago\n" : $"- code versions: {versions}; cell fingerprint of the first cell: x\n");
            return path;
        }
        var stale = Other("portable-old-cpu", "training 0, scoring 0, unlearning 0");
        var current = Other("portable-same-cpu", Harness.Util.CodeVersion.Describe());
        var unknown = Other("portable-unknown-cpu", null);
        File.WriteAllText(MatrixTable.CsvPath(dir, "m"), table);
        var log = new List<string>();
        Verification.Accept(Spec, dir, "test").Should().Be(Verification.VerifiedPath(dir, "m"));
        Baselines.CodeVersionsOf(Verification.VerifiedPath(dir, "m")).Should().Be(Harness.Util.CodeVersion.Describe(), "accept records the code versions it was made by");
        File.Exists(stale).Should().BeFalse("made by other code, and this machine cannot remake it");
        File.Exists(Path.ChangeExtension(stale, ".md")).Should().BeFalse();
        File.Exists(current).Should().BeTrue("made by this code");
        File.Exists(unknown).Should().BeTrue("nothing says which code made it");
        Baselines.RemoveStale(m, "m-cells", "training 9, scoring 9, unlearning 9", log.Add).Should().BeEquivalentTo(new[] { current });
        log.Should().Contain(l => l.StartsWith("removed m-cells.portable-same-cpu.verified.csv: class portable-same-cpu's baseline was made by code versions"))
            .And.Contain(l => l.Contains("portable-unknown-cpu.verified.csv: records no code versions; kept"));
    }

    [TestCase("portable", "GenuineIntel", "fpu sse2 avx2 avx512f", "portable-intel-avx512")]
    [TestCase("portable", "AuthenticAMD", "fpu sse2 avx avx2 fma", "portable-amd-avx2")]
    [TestCase("native", "AuthenticAMD", "fpu sse2 avx2 avx512f avx512bw", "native-amd-avx512")]
    [TestCase("portable", "HygonGenuine", "sse2", "portable-hygongenuine-sse")]
    public void TheNumericsClassIsModeVendorAndWidestVectors(string mode, string vendor, string flags, string expected) =>
        Harness.Numerics.NumericsClass.Of(mode, vendor, flags, System.Runtime.InteropServices.Architecture.X64).Should().Be(expected);

    string Write(string name, string text) { var p = Path.Combine(dir, name); File.WriteAllText(p, text); return p; }

    [Test]
    public void TablesAreIdenticalUnderAnotherCulture()
    {
        var rows = new[] { Result(0, 1, 0.0123456789), Result(1, 0.5, 1234.5) };
        var invariant = MatrixTable.ToCsv(rows);
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            MatrixTable.ToCsv(rows).Should().Be(invariant);
            var back = MatrixTable.ReadCsv(Write("c.csv", invariant));
            back[1].Values["forget_loss"].Should().Be(1234.5);
            Harness.Util.Json.Serialize(rows[0]).Should().Contain("\"forget_loss\": 0.0123456789");
        }
        finally { CultureInfo.CurrentCulture = previous; }
        invariant.Should().Contain(",0.0123456789,");
    }
}
