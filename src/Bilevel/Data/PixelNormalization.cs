namespace Bilevel.Data;

/// <summary>
/// Pixel normalisations used by the hyper-cleaning experiments. The loaders already return pixel / 255 in [0, 1]
/// (torchvision's <c>ToTensor</c>). On top of that:
/// <list type="bullet">
/// <item>papers 002 (App. A.2) and 003 (§4.1) run the stocBiO/MRVRBO reference code, which standardises MNIST with
/// torchvision's <c>Normalize((0.1307,), (0.3081,))</c>: x ← (x − 0.1307) / 0.3081 (<see cref="MnistMean"/>,
/// <see cref="MnistStd"/>);</item>
/// <item>paper 000 (§6.2, App. E) does not say how it normalises MNIST, Fashion-MNIST or QMNIST and has no code
/// release; the pixel / 255 scaling is the default here. To standardise another dataset, compute its statistics
/// on the training split with <see cref="MeanStd"/> rather than reusing the MNIST constants.</item>
/// </list>
/// </summary>
public static class PixelNormalization
{
    /// <summary>The MNIST training-set pixel mean (of pixel / 255) used by torchvision examples and the reference code.</summary>
    public const float MnistMean = 0.1307f;

    /// <summary>The MNIST training-set pixel standard deviation (of pixel / 255) used by torchvision examples and the reference code.</summary>
    public const float MnistStd = 0.3081f;

    /// <summary>In place: x ← (x − mean) / std.</summary>
    /// <exception cref="ArgumentOutOfRangeException">std is not positive.</exception>
    public static void Standardize(Span<float> pixels, float mean, float std)
    {
        if (!(std > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "the standard deviation must be positive");
        }

        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (pixels[i] - mean) / std;
        }
    }

    /// <summary>In place: the reference code's MNIST standardisation (x − 0.1307) / 0.3081.</summary>
    public static void StandardizeMnist(Span<float> pixels) => Standardize(pixels, MnistMean, MnistStd);

    /// <summary>The mean and population standard deviation of the pixels (accumulated in double).</summary>
    /// <exception cref="ArgumentException">The span is empty.</exception>
    public static (double Mean, double Std) MeanStd(ReadOnlySpan<float> pixels)
    {
        if (pixels.IsEmpty)
        {
            throw new ArgumentException("no pixels to average", nameof(pixels));
        }

        var sum = 0.0;
        foreach (var p in pixels)
        {
            sum += p;
        }

        var mean = sum / pixels.Length;
        var squares = 0.0;
        foreach (var p in pixels)
        {
            var d = p - mean;
            squares += d * d;
        }

        return (mean, Math.Sqrt(squares / pixels.Length));
    }
}
