using TorchSharp;
using Harness.Data;
using static TorchSharp.torch;

namespace Harness.Models;

public static class ModelCopy
{
    /// <summary>A new model of the same architecture with the original's parameters and buffers copied in.</summary>
    public static nn.Module<Tensor, Tensor> Clone(nn.Module<Tensor, Tensor> original, string modelName, ImageSet data, Device device)
    {
        var copy = ModelFactory.Create(modelName, data);
        copy.to(device);
        using (no_grad())
        {
            var source = original.state_dict();
            foreach (var (name, t) in copy.state_dict()) t.copy_(source[name]);
        }
        copy.eval();
        return copy;
    }

    /// <summary>A model of that architecture with the state dict saved at <paramref name="path"/> (by <c>save</c>), on the device, in eval mode.</summary>
    public static nn.Module<Tensor, Tensor> Load(string modelName, ImageSet data, string path, Device device)
    {
        var model = ModelFactory.Create(modelName, data);
        model.load(path);
        model.to(device);
        model.eval();
        return model;
    }

    /// <summary>Named parameters as CPU float64 copies, for distances and bit-exact comparisons.</summary>
    public static Dictionary<string, double[]> Parameters(nn.Module<Tensor, Tensor> model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().to(ScalarType.Float64).contiguous().data<double>().ToArray());
}
