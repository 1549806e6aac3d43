namespace Harness.Populations;

/// <summary>
/// LiRA's logit-scaled confidence of a labelled point (Carlini et al. 2022, Sec. IV-B): φ = z_y − logsumexp_{j≠y} z_j,
/// which equals log p_y − log(1 − p_y) but is computed from the logits, so it stays finite where p_y rounds to 1.
/// </summary>
public static class LogitConfidence
{
    /// <summary>φ of one row of logits for label <paramref name="label"/>.</summary>
    public static double Of(ReadOnlySpan<float> logits, long label)
    {
        if (logits.Length < 2) throw new ArgumentException("φ needs at least two classes.", nameof(logits));
        if (label < 0 || label >= logits.Length) throw new ArgumentOutOfRangeException(nameof(label));
        double max = double.NegativeInfinity;
        for (int j = 0; j < logits.Length; j++)
            if (j != label && logits[j] > max) max = logits[j];
        double sum = 0;
        for (int j = 0; j < logits.Length; j++)
            if (j != label) sum += Math.Exp(logits[j] - max);
        return logits[(int)label] - (max + Math.Log(sum));
    }

    /// <summary>φ of every row of an n × C logit matrix (row-major).</summary>
    public static double[] Of(ReadOnlySpan<float> logits, int classes, ReadOnlySpan<long> labels)
    {
        if (logits.Length != labels.Length * classes) throw new ArgumentException($"{logits.Length} logits for {labels.Length} points of {classes} classes.");
        var phi = new double[labels.Length];
        for (int i = 0; i < phi.Length; i++) phi[i] = Of(logits.Slice(i * classes, classes), labels[i]);
        return phi;
    }
}
