using FluentAssertions;
using Harness.Util;
using NUnit.Framework;

namespace Harness.Tests.Cli;

/// <summary>
/// The machine saying no (disk full, a path that is a file, a permission refused) is one `error:` line naming the path,
/// exit 74, no stack trace unless --verbose; never "harness crashed".
/// </summary>
public class EnvironmentErrorTests
{
    static (int Code, string Out, string Err) Harness(params string[] args) => CommandLineTests.Harness(args);

    [Test]
    public void ARealDiskFullIsNamedWithTheFreeSpace()
    {
        if (!File.Exists("/dev/full")) Assert.Ignore("no /dev/full on this machine");
        // /dev/full answers every write with ENOSPC: the exception .NET raises on a full disk
        var full = Assert.Catch<IOException>(() => File.WriteAllBytes("/dev/full", new byte[4096]))!;
        var line = EnvironmentErrors.Describe(new AggregateException(full)); // as a background write reports it
        line.Should().StartWith("the disk is full (/dev/full): ").And.Contain("bytes available on the file system of /dev")
            .And.EndWith("run the same command again: finished work is kept.");
    }

    [Test]
    public void AFullDiskUnderAnAtomicWriteSaysHowManyBytesWereNeeded()
    {
        if (!File.Exists("/dev/full")) Assert.Ignore("no /dev/full on this machine");
        var dir = TestSupport.TempDir("full");
        var target = Path.Combine(dir, "table.npy");
        // the temporary file's write answered as a full disk answers it: the real ENOSPC exception, from /dev/full
        var e = Assert.Catch<IOException>(() => AtomicFile.Write(target, _ => File.WriteAllBytes("/dev/full", new byte[4096]), bytes: 12_345))!;
        EnvironmentErrors.Describe(e).Should().StartWith($"the disk is full ({target}): 12,345 bytes needed, ").And.Contain($"bytes available on the file system of {dir}");
        Directory.GetFileSystemEntries(dir).Should().BeEmpty("nothing half-written is left");
        Directory.Delete(dir);
    }

    [Test]
    public void BugsAndUserMistakesAreNotEnvironmentErrors()
    {
        EnvironmentErrors.Describe(new InvalidOperationException("a bug")).Should().BeNull();
        EnvironmentErrors.Describe(new FileNotFoundException("Could not find file '/x'")).Should().BeNull("a missing input is the user's to fix, with its own message");
    }

    [Test]
    public void APathThatIsAFileEndsWithOneLineAndExit74()
    {
        var dir = TestSupport.TempDir("env");
        var blocker = Path.Combine(dir, "results-file");
        File.WriteAllText(blocker, "not a folder");
        var (code, output, err) = Harness("numerics", "--out", Path.Combine(blocker, "numerics"));
        code.Should().Be(EnvironmentErrors.ExitCode, err);
        err.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith($"error: a file is in the way: {blocker} is a file").And.Contain(blocker);
        err.Should().NotContain("harness crashed").And.NotContain("   at ");
        var (verboseCode, _, verboseErr) = Harness("numerics", "--out", Path.Combine(blocker, "numerics"), "--verbose");
        verboseCode.Should().Be(EnvironmentErrors.ExitCode);
        verboseErr.Should().Contain("   at ", "--verbose adds the stack trace");
        Directory.Delete(dir, true);
    }
}
