using static TorchSharp.torch;

namespace Harness.Scoring;

/// <summary>
/// The points and scores the Stein kernel sees (docs/method.md, "Kernel space"), n × columns float32 on the CPU:
/// x is the flattened input or, with `features: penultimate`, the representation entering the last linear layer (its
/// score then taken with respect to it); `space: joint` appends onehot(y) to x and the softmax vector p(·|x) to s.
/// </summary>
public sealed class KernelInputs : IDisposable
{
    KernelInputs(Tensor x, Tensor s, long featureColumns, long labelColumns)
    {
        X = x; S = s; FeatureColumns = featureColumns; LabelColumns = labelColumns;
    }

    public Tensor X { get; }
    public Tensor S { get; }
    /// <summary>Columns of the feature block (d for the input, the width for penultimate features).</summary>
    public long FeatureColumns { get; }
    /// <summary>Columns of the label block: C in the joint space, 0 in the input space.</summary>
    public long LabelColumns { get; }
    public long Columns => FeatureColumns + LabelColumns;

    /// <param name="images">The scored images (any device).</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="stein">The model's quantities for them, computed with the same <see cref="FeatureSpace"/> as <paramref name="options"/>.</param>
    public static KernelInputs Build(ScoringOptions options, Tensor images, Tensor labels, SteinScoreResult stein)
    {
        using var scope = NewDisposeScope();
        Tensor x, s;
        if (options.Features == FeatureSpace.Penultimate)
        {
            if (stein.Z is null || stein.SZ is null) throw new InvalidOperationException("penultimate features were not computed with the Stein scores.");
            (x, s) = (stein.Z, stein.SZ);
        }
        else (x, s) = (images.flatten(1).to(ScalarType.Float32).cpu(), stein.S);
        long features = x.shape[1], labelColumns = 0;
        if (options.Space == KernelSpace.Joint)
        {
            long classes = stein.P.shape[1];
            var onehot = nn.functional.one_hot(labels.cpu().to(ScalarType.Int64), classes).to(ScalarType.Float32);
            x = cat(new[] { x, onehot }, 1);
            s = cat(new[] { s, stein.P }, 1);
            labelColumns = classes;
        }
        return new KernelInputs(x.contiguous().detach().MoveToOuterDisposeScope(), s.contiguous().detach().MoveToOuterDisposeScope(), features, labelColumns);
    }

    /// <summary>The model's Stein quantities for these images and the kernel's inputs built from them, as the options say.</summary>
    public static (SteinScoreResult Stein, KernelInputs Inputs) Compute(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, ScoringOptions options)
    {
        var stein = SteinScores.Compute(model, images, labels, options.Score, options.ScoreBatch, options.Ssn == SsnMode.Params, options.Features);
        try { return (stein, Build(options, images, labels, stein)); }
        catch { stein.Dispose(); throw; }
    }

    /// <summary>Views of the first <paramref name="m"/> rows.</summary>
    public (Tensor X, Tensor S) Head(long m) => (X.narrow(0, 0, m), S.narrow(0, 0, m));

    public void Dispose() { X.Dispose(); S.Dispose(); }
}
