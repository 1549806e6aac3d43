using Harness.Numerics;
using static TorchSharp.torch;

namespace Harness.Evaluation;

/// <summary>Layer-wise and total L2 distance between the parameters of two models of the same architecture.</summary>
public static class ParameterDistance
{
    public static (Dictionary<string, double> PerLayer, double Total) Measure(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b)
    {
        var pb = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var per = new Dictionary<string, double>();
        double total = 0;
        using var _ = no_grad();
        using var held = new HeldScalars();
        foreach (var (name, p) in a.named_parameters())
        {
            if (!pb.TryGetValue(name, out var q) || !p.shape.SequenceEqual(q.shape))
                throw new InvalidOperationException($"parameter {name} differs in shape between the models");
            using var scope = NewDisposeScope();
            double sq = (p.to(ScalarType.Float64) - q.to(ScalarType.Float64)).pow(held.Of(2)).sum().cpu().item<double>();
            per[name] = Math.Sqrt(sq);
            total += sq;
        }
        return (per, Math.Sqrt(total));
    }
}
