using static TorchSharp.torch;

namespace Harness.Models;

/// <summary>
/// A classifier whose last layer is linear: forward(x) = Head(Features(x)). The penultimate representation
/// (docs/method.md `features: penultimate`) is what Features returns.
/// </summary>
public interface IHasHead
{
    /// <summary>The representation entering the last linear layer: n × width.</summary>
    Tensor Features(Tensor x);

    /// <summary>The last linear layer applied to a representation.</summary>
    Tensor Head(Tensor features);

    /// <summary>A headed model's forward pass: the head on the features.</summary>
    static Tensor Logits(IHasHead model, Tensor x)
    {
        using var scope = NewDisposeScope();
        return model.Head(model.Features(x)).MoveToOuterDisposeScope();
    }
}
