using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Harness.Models;

/// <summary>The paper's MNIST model: two 5×5 conv layers (16, 32 channels) with ReLU and 2×2 max-pooling, and a linear head. Input 1×28×28.</summary>
public sealed class Cnn2 : nn.Module<Tensor, Tensor>, IHasHead
{
    readonly Conv2d conv1 = nn.Conv2d(1, 16, 5);
    readonly Conv2d conv2 = nn.Conv2d(16, 32, 5);
    readonly Linear head;

    public Cnn2(int classes = 10) : base(nameof(Cnn2))
    {
        head = nn.Linear(32 * 4 * 4, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => IHasHead.Logits(this, x);

    /// <summary>The 512 values (32 channels × 4 × 4) entering the linear head.</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.max_pool2d(nn.functional.relu(conv1.forward(x)), 2);
        h = nn.functional.max_pool2d(nn.functional.relu(conv2.forward(h)), 2);
        return h.flatten(1).MoveToOuterDisposeScope();
    }

    public Tensor Head(Tensor features) => head.forward(features);
}
