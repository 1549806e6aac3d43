using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>The one place that decides the device: `auto` is CUDA when available, else CPU.</summary>
public static class Devices
{
    public static void CheckName(string name)
    {
        if (name is not ("auto" or "cpu" or "cuda"))
            throw new HarnessException($"device '{name}' is unknown; use auto, cpu or cuda.");
    }

    public static Device Resolve(string name)
    {
        CheckName(name);
        bool cuda = cuda_is_available();
        if (name == "cuda" && !cuda)
            throw new HarnessException("device 'cuda' was requested but CUDA is not available in this build. Build with `dotnet build -p:TorchBackend=cuda` " +
                "(needs the TorchSharp-cuda-linux package in your NuGet feed and an NVIDIA GPU), or use --device cpu.");
        return name == "cpu" || !cuda ? CPU : CUDA;
    }

    /// <summary>Pins torch's intra-op thread count and returns what torch reports back.</summary>
    public static int PinThreads(int threads)
    {
        set_num_threads(threads);
        return get_num_threads();
    }
}
