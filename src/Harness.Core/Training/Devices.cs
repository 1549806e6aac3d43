using static TorchSharp.torch;

namespace Harness.Training;

/// <summary>Where to compute: `auto` is CUDA when available, else the CPU.</summary>
[ChoiceOf("device")] public enum DeviceChoice { Auto, Cpu, Cuda }

/// <summary>The one place that decides the device.</summary>
public static class Devices
{
    public static Device Resolve(DeviceChoice choice)
    {
        bool cuda = cuda_is_available();
        if (choice == DeviceChoice.Cuda && !cuda)
            throw new HarnessException("device 'cuda' was requested but CUDA is not available in this build. Build with `dotnet build -p:TorchBackend=cuda` " +
                "(needs the TorchSharp-cuda-linux package in your NuGet feed and an NVIDIA GPU), or use --device cpu.");
        return choice == DeviceChoice.Cpu || !cuda ? CPU : CUDA;
    }

    /// <summary>Pins torch's intra-op thread count and returns what torch reports back.</summary>
    public static int PinThreads(int threads)
    {
        set_num_threads(threads);
        return get_num_threads();
    }
}
