using Harness.Numerics;
using System.Runtime.InteropServices;
using FluentAssertions;
using NUnit.Framework;

/// <summary>Before any test touches LibTorch, Harness.Core's module initializer caps its instruction set (see CpuIsa).</summary>
[SetUpFixture]
public class AssemblySetUp
{
    [OneTimeSetUp]
    public void PinCpuIsa() => System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(Harness.Numerics.CpuIsa).Module.ModuleHandle);
}

namespace Harness.Tests
{
    public class CpuIsaTests
    {
        [DllImport("libc", EntryPoint = "getenv")] static extern IntPtr getenv(string name);

        [Test]
        public void NativeLibrariesSeeTheCap()
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) Assert.Ignore("the cap is set on Linux x64");
            if (Harness.Numerics.CpuIsa.Mode != "portable") Assert.Ignore($"HARNESS_CPU_ISA={Harness.Numerics.CpuIsa.Mode}");
            foreach (var name in new[] { "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "MKL_CBWR" })
                Marshal.PtrToStringAnsi(getenv(name)).Should().NotBeNull($"{name} is set in the native environment, where LibTorch, MKL and oneDNN read it");
            Marshal.PtrToStringAnsi(getenv("MKL_CBWR")).Should().Be(Environment.GetEnvironmentVariable("MKL_CBWR"), "native code and .NET see the same value (COMPATIBLE unless the user set another)");
            Harness.Numerics.CpuIsa.Use512.Should().BeFalse();
            Harness.Numerics.CpuIsa.Describe().Should().StartWith("portable");
        }
    }
}
