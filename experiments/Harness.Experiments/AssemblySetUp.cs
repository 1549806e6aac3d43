using Harness.Numerics;
using NUnit.Framework;

/// <summary>Before any case touches LibTorch, Harness.Core's module initializer caps its instruction set (see CpuIsa).</summary>
[SetUpFixture]
public class AssemblySetUp
{
    [OneTimeSetUp]
    public void PinCpuIsa() => System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(typeof(Harness.Numerics.CpuIsa).Module.ModuleHandle);
}
