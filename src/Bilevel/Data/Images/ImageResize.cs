namespace Bilevel.Data.Images;

/// <summary>
/// Area-averaging ("box", PIL's <c>Image.BOX</c>) resampling of single-channel float images. Output pixel (i, j) is the
/// mean of the input over the rectangle it covers, [j·W/w, (j + 1)·W/w) × [i·H/h, (i + 1)·H/h), each input pixel
/// weighted by the fraction of its unit square inside that rectangle. Weights are computed with exact integer
/// arithmetic (overlaps measured in units of 1/(w·h)), so the result is exact up to the floating-point sums for any
/// ratio, integer or fractional, shrinking or enlarging. A constant image stays constant and the image mean is
/// preserved.
/// </summary>
/// <remarks>
/// Omniglot loaders for papers 001/002 (learn2learn, torchmeta) resize 105×105 to 28×28 with PIL (LANCZOS or the
/// default bilinear filter); this workbook uses area averaging instead, which is exact and has no ringing, so pixel
/// values differ slightly from theirs.
/// </remarks>
public static class ImageResize
{
    /// <summary>
    /// Resizes a row-major <paramref name="width"/>×<paramref name="height"/> image to
    /// <paramref name="targetWidth"/>×<paramref name="targetHeight"/> by area averaging.
    /// </summary>
    public static float[] AreaAverage(ReadOnlySpan<float> grey, int width, int height, int targetWidth, int targetHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetHeight);
        var output = new float[targetWidth * targetHeight];
        AreaAverage(grey, width, height, output, targetWidth, targetHeight);
        return output;
    }

    /// <summary>As <see cref="AreaAverage(ReadOnlySpan{float}, int, int, int, int)"/>, writing into <paramref name="output"/>.</summary>
    public static void AreaAverage(ReadOnlySpan<float> grey, int width, int height, Span<float> output, int targetWidth, int targetHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetHeight);
        if (grey.Length != (long)width * height)
        {
            throw new ArgumentException($"a {width}×{height} image has {(long)width * height} pixels, got {grey.Length}", nameof(grey));
        }

        if (output.Length != (long)targetWidth * targetHeight)
        {
            throw new ArgumentException($"a {targetWidth}×{targetHeight} image has {(long)targetWidth * targetHeight} pixels, got {output.Length}", nameof(output));
        }

        var columns = Weights(width, targetWidth);
        var rows = Weights(height, targetHeight);

        // Horizontal pass: height × targetWidth intermediate in double.
        var temp = new double[height * targetWidth];
        for (var y = 0; y < height; y++)
        {
            var inRow = grey.Slice(y * width, width);
            for (var j = 0; j < targetWidth; j++)
            {
                var (first, weights) = columns[j];
                double sum = 0;
                for (var k = 0; k < weights.Length; k++)
                {
                    sum += weights[k] * inRow[first + k];
                }

                temp[(y * targetWidth) + j] = sum;
            }
        }

        // Vertical pass.
        var column = new double[targetWidth];
        for (var i = 0; i < targetHeight; i++)
        {
            var (first, weights) = rows[i];
            Array.Clear(column);
            for (var k = 0; k < weights.Length; k++)
            {
                var w = weights[k];
                var tempRow = (first + k) * targetWidth;
                for (var j = 0; j < targetWidth; j++)
                {
                    column[j] += w * temp[tempRow + j];
                }
            }

            for (var j = 0; j < targetWidth; j++)
            {
                output[(i * targetWidth) + j] = (float)column[j];
            }
        }
    }

    /// <summary>
    /// For each of <paramref name="target"/> output positions along an axis of <paramref name="source"/> input pixels:
    /// the first input index it touches and the normalised weights (summing to 1) of the inputs it covers. In units of
    /// 1/target, output o covers [o·source, (o + 1)·source) and input x covers [x·target, (x + 1)·target); the weight is
    /// the integer overlap divided by source.
    /// </summary>
    internal static (int First, double[] Weights)[] Weights(int source, int target)
    {
        var result = new (int, double[])[target];
        for (var o = 0; o < target; o++)
        {
            var lo = (long)o * source;
            var hi = lo + source;
            var first = (int)(lo / target);
            var last = (int)((hi - 1) / target);
            var weights = new double[last - first + 1];
            for (var x = first; x <= last; x++)
            {
                var overlap = Math.Min(hi, (long)(x + 1) * target) - Math.Max(lo, (long)x * target);
                weights[x - first] = (double)overlap / source;
            }

            result[o] = (first, weights);
        }

        return result;
    }
}
