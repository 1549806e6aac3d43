using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Models;

/// <summary>Models by name, with the input shape each expects.</summary>
public static class ModelFactory
{
    static readonly Dictionary<string, (int C, int H, int W, Func<int, nn.Module<Tensor, Tensor>> Create)> Models = new()
    {
        ["cnn2"] = (1, 28, 28, classes => new Cnn2(classes)),
        ["resnet18"] = (3, 32, 32, classes => new ResNet18(classes)),
    };

    public static IReadOnlyCollection<string> Names => Models.Keys;

    /// <summary>The name as typed, checked: the same message from the command line and from experiments.yaml.</summary>
    public static string Parse(string raw) => Config.Choice.Known("model", raw, Models.Keys);

    /// <summary>Creates the model with weights from torch's global generator (seed it first for reproducible initialisation).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, ImageSet forData)
    {
        var m = Models[Parse(name)];
        if ((m.C, m.H, m.W) != (forData.Channels, forData.Height, forData.Width))
            throw new HarnessException($"model '{name}' takes {m.C}×{m.H}×{m.W} inputs but the data set has {forData.Channels}×{forData.Height}×{forData.Width} images; pick the other model (cnn2 for 28×28×1, resnet18 for 32×32×3).");
        return m.Create(forData.Classes);
    }
}
