using System.Reflection;
using FluentAssertions;
using Harness.Numerics;
using Harness.Training;
using NUnit.Framework;
using TorchSharp;
using static TorchSharp.torch;

namespace Harness.Tests;

/// <summary>
/// Every Scalar the harness hands LibTorch is held for the native call (<see cref="HeldScalars"/>). TorchSharp's implicit
/// conversions and its shorthands (<c>a + b</c>, <c>t.square()</c>, <c>linalg.vector_norm</c>, its optimizers' steps) make
/// Scalars nothing holds, which a garbage collection on another thread can free mid-call ("Unknown scalar type"): a CI
/// worker crashed with a LibTorch error raised in <c>ImageSet.ImagesTensor</c>, most likely by its <c>div_(255f)</c>.
/// </summary>
public class ScalarLifetimeTests
{
    static readonly Assembly TorchSharpAssembly = typeof(Scalar).Assembly;
    static IEnumerable<MethodBase> Callees(MethodBase method) => ILScan.Callees(method);

    static bool MakesScalar(MethodBase m) =>
        m.DeclaringType?.Assembly == TorchSharpAssembly && (m.Name == "ToScalar" || (m.Name == "op_Implicit" && m.DeclaringType == typeof(Scalar)));

    /// <summary>
    /// Calls, in the given types' methods, that make a Scalar nothing holds: a conversion, or a TorchSharp method whose own
    /// code (followed 8 calls deep inside TorchSharp) converts a number. Virtual calls are followed to the method named,
    /// not to its overrides (the optimizers' steps are checked below).
    /// </summary>
    static List<string> UnheldScalars(IEnumerable<Type> types)
    {
        var memo = new Dictionary<MethodBase, bool>();
        bool Converts(MethodBase m, int depth)
        {
            if (MakesScalar(m)) return true;
            if (m.DeclaringType?.Assembly != TorchSharpAssembly || depth > 8) return false;
            if (memo.TryGetValue(m, out var known)) return known;
            memo[m] = false; // cycles
            return memo[m] = Callees(m).Any(c => Converts(c, depth + 1));
        }
        var sites = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in types)
            foreach (var method in ILScan.Methods(type))
                foreach (var callee in Callees(method))
                    if (Converts(callee, 0))
                        sites.Add($"{type.FullName}.{method.Name} calls {callee.DeclaringType?.Name}.{callee.Name}({string.Join(", ", callee.GetParameters().Select(p => p.ParameterType.Name))})");
        return sites.ToList();
    }

    [Test]
    public void NoHarnessCodeHandsLibTorchAScalarNothingHolds()
    {
        // HeldScalars makes them; this class writes unheld ones on purpose (below)
        var types = new[] { typeof(HeldScalars).Assembly, typeof(Harness.Cli.Cli).Assembly, typeof(ScalarLifetimeTests).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t != typeof(HeldScalars) && t != typeof(ScalarLifetimeTests) && t.DeclaringType != typeof(ScalarLifetimeTests));
        var sites = UnheldScalars(types);
        sites.Should().BeEmpty("a Scalar passed to LibTorch must come from HeldScalars (see its summary); found:\n" + string.Join("\n", sites));
    }

    [Test]
    public void TheScanFindsEveryKindOfUnheldScalar()
    {
        var sites = UnheldScalars(new[] { typeof(Calls) });
        sites.Should().Contain(s => s.Contains("Unheld calls Scalar.op_Implicit(Single)"), "t.div_(255f)");
        sites.Should().Contain(s => s.Contains("Unheld calls Tensor.op_Addition(Tensor, Tensor)"), "a + b passes alpha 1");
        sites.Should().Contain(s => s.Contains("Unheld calls Tensor.square()"), "square() is pow(2)");
        sites.Should().Contain(s => s.Contains("Unheld calls linalg.vector_norm("), "vector_norm converts its order");
        sites.Should().NotContain(s => s.Contains(".Held calls"), "held Scalars and the shorthands' long forms pass");
    }

    /// <summary>Calls the scan must flag (<see cref="Unheld"/>) and must pass (<see cref="Held"/>); never run.</summary>
    static class Calls
    {
        public static Tensor Unheld(Tensor a, Tensor b) => (a.div_(255f) + b).square() + linalg.vector_norm(a, 2, new long[] { 1 });

        public static Tensor Held(Tensor a, Tensor b, HeldScalars held) =>
            a.div_(held.Of(255f)).add(b, held.Of(1)).pow(held.Of(2)).add(a.norm(1, false, 2f), held.Of(1));
    }

    [Test]
    public void TheOptimizersStepsAreTheHarnesss()
    {
        // optimizer.step() is a virtual call the scan cannot follow: TorchSharp's own SGD and Adam steps convert numbers
        using var model = new Harness.Models.Cnn2();
        foreach (var name in Enum.GetValues<Optimizer>())
        {
            using var opt = Optimizers.Create(name, model.parameters(), 0.01, 0.9, 0.01);
            opt.GetType().GetMethod("step")!.DeclaringType!.Assembly.Should().BeSameAs(typeof(HeldScalars).Assembly, $"{name}'s step");
            UnheldScalars(new[] { opt.GetType() }).Should().BeEmpty($"{name}'s step holds its Scalars");
        }
    }

    [TestCase(ScalarType.Float32)]
    [TestCase(ScalarType.Float64)]
    public void TensorNormIsVectorNormToTheBit(ScalarType dtype)
    {
        // the harness's row norms use Tensor.norm(dim, keepdim, p) where it used linalg.vector_norm (which converts its order)
        manual_seed(11);
        using var scope = NewDisposeScope();
        var x = randn(300, 4097, dtype: dtype).mul_(randn(300, 1, dtype: dtype).exp_());
        var expected = linalg.vector_norm(x, 2, new long[] { 1 });
        var actual = x.norm(1, false, 2f);
        actual.dtype.Should().Be(dtype);
        if (dtype == ScalarType.Float32) actual.data<float>().ToArray().Should().Equal(expected.data<float>().ToArray());
        else actual.data<double>().ToArray().Should().Equal(expected.data<double>().ToArray());
    }
}
