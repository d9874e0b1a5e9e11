namespace Bilevel.Data;

/// <summary>
/// Grayscale images with integer class labels, pixels stored image after image (each row-major) in one
/// <see cref="float"/> array, as <see cref="MnistFamily.Load(string, string)"/> produces them (pixel / 255 in [0, 1] unless
/// re-normalised with <see cref="PixelNormalization"/>).
/// </summary>
public sealed class LabeledImageSet
{
    /// <summary>Wraps the arrays (not copied).</summary>
    /// <exception cref="ArgumentException">The pixel count is not labels × rows × columns, or a label is outside [0, classCount).</exception>
    public LabeledImageSet(float[] pixels, int[] labels, int rows, int columns, int classCount)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        if ((long)labels.Length * rows * columns != pixels.Length)
        {
            throw new ArgumentException(
                $"{pixels.Length} pixels do not make {labels.Length} images of {rows}×{columns}", nameof(pixels));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"label {labels[i]} of item {i} is outside 0–{classCount - 1}", nameof(labels));
            }
        }

        Pixels = pixels;
        Labels = labels;
        Rows = rows;
        Columns = columns;
        ClassCount = classCount;
    }

    /// <summary>All pixels, length Count·Rows·Columns.</summary>
    public float[] Pixels { get; }

    /// <summary>The class label of each image.</summary>
    public int[] Labels { get; }

    /// <summary>Rows per image.</summary>
    public int Rows { get; }

    /// <summary>Columns per image.</summary>
    public int Columns { get; }

    /// <summary>The number of classes C; labels lie in [0, C).</summary>
    public int ClassCount { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Pixels per image (Rows·Columns, 784 for MNIST).</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }

    /// <summary>How many images carry each label (length <see cref="ClassCount"/>).</summary>
    public int[] LabelHistogram()
    {
        var counts = new int[ClassCount];
        foreach (var label in Labels)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <summary>
    /// The same images (pixels shared, not copied) with other labels, e.g. corrupted training labels for data
    /// hyper-cleaning.
    /// </summary>
    /// <exception cref="ArgumentException">The label count differs or a label is outside [0, ClassCount).</exception>
    public LabeledImageSet WithLabels(int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != Count)
        {
            throw new ArgumentException($"{labels.Length} labels for {Count} images", nameof(labels));
        }

        return new LabeledImageSet(Pixels, labels, Rows, Columns, ClassCount);
    }

    /// <summary>A copy holding the given images in the given order (indices may repeat).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public LabeledImageSet Subset(ReadOnlySpan<int> indices)
    {
        var size = PixelsPerImage;
        var pixels = new float[(long)indices.Length * size];
        var labels = new int[indices.Length];
        for (var k = 0; k < indices.Length; k++)
        {
            var i = indices[k];
            if ((uint)i >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {i} at position {k} is outside the {Count} images");
            }

            Pixels.AsSpan(i * size, size).CopyTo(pixels.AsSpan(k * size, size));
            labels[k] = Labels[i];
        }

        return new LabeledImageSet(pixels, labels, Rows, Columns, ClassCount);
    }
}
