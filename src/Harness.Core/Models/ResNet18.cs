using Harness.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Harness.Models;

/// <summary>ResNet-18 in its CIFAR form: 3×3 stem with stride 1 and no max-pool, four stages of two basic blocks (64–512 channels). Input 3×32×32.</summary>
public sealed class ResNet18 : nn.Module<Tensor, Tensor>, IHasHead
{
    readonly Conv2d stem = nn.Conv2d(3, 64, 3, padding: 1, bias: false);
    readonly BatchNorm2d stemBn = nn.BatchNorm2d(64);
    readonly ModuleList<BasicBlock> blocks = new();
    readonly Linear head;

    public ResNet18(int classes = 10) : base(nameof(ResNet18))
    {
        int inC = 64;
        foreach (var (outC, stride) in new[] { (64, 1), (128, 2), (256, 2), (512, 2) })
        {
            blocks.Add(new BasicBlock($"block{blocks.Count}", inC, outC, stride));
            blocks.Add(new BasicBlock($"block{blocks.Count}", outC, outC, 1));
            inC = outC;
        }
        head = nn.Linear(512, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => IHasHead.Logits(this, x);

    /// <summary>The 512 globally average-pooled channels entering the linear head.</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(stemBn.forward(stem.forward(x)));
        foreach (var b in blocks) h = b.forward(h);
        return nn.functional.adaptive_avg_pool2d(h, 1).flatten(1).MoveToOuterDisposeScope();
    }

    public Tensor Head(Tensor features) => head.forward(features);

    public sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        readonly Conv2d conv1, conv2;
        readonly BatchNorm2d bn1, bn2;
        readonly Sequential? shortcut;

        public BasicBlock(string name, int inC, int outC, int stride) : base(name)
        {
            conv1 = nn.Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(outC);
            conv2 = nn.Conv2d(outC, outC, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(outC);
            if (stride != 1 || inC != outC)
                shortcut = nn.Sequential(nn.Conv2d(inC, outC, 1, stride: stride, bias: false), nn.BatchNorm2d(outC));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            using var held = new HeldScalars();
            var h = nn.functional.relu(bn1.forward(conv1.forward(x)));
            h = bn2.forward(conv2.forward(h));
            h = h.add(shortcut == null ? x : shortcut.forward(x), held.Of(1));
            return nn.functional.relu(h).MoveToOuterDisposeScope();
        }
    }
}
