namespace Bilevel.Data.Images;

/// <summary>
/// Exact pixel permutations of square single-channel images, for the 90° rotation augmentation of the Omniglot
/// few-shot benchmark (papers 001 §4.2 and the Santoro et al./Vinyals et al. protocol: each character rotated by
/// 0°, 90°, 180°, 270° is a separate class).
/// </summary>
public static class ImageTransforms
{
    /// <summary>
    /// Rotates a row-major <paramref name="size"/>×<paramref name="size"/> image counter-clockwise by
    /// <paramref name="quarterTurns"/>·90° (any integer; taken modulo 4), as <c>numpy.rot90</c>/<c>torch.rot90</c>
    /// and PIL's <c>rotate</c> do: one quarter turn moves the top-right corner to the top-left.
    /// </summary>
    public static void Rotate90(ReadOnlySpan<float> image, int size, int quarterTurns, Span<float> output)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var n = (long)size * size;
        if (image.Length != n || output.Length != n)
        {
            throw new ArgumentException($"a {size}×{size} image has {n} pixels, got input {image.Length} and output {output.Length}");
        }

        if (image.Overlaps(output))
        {
            throw new ArgumentException("input and output must not overlap", nameof(output));
        }

        var last = size - 1;
        switch (((quarterTurns % 4) + 4) % 4)
        {
            case 0:
                image.CopyTo(output);
                break;
            case 1: // out(r, c) = in(c, n−1−r)
                for (var r = 0; r < size; r++)
                {
                    for (var c = 0; c < size; c++)
                    {
                        output[(r * size) + c] = image[(c * size) + last - r];
                    }
                }

                break;
            case 2: // out(r, c) = in(n−1−r, n−1−c)
                for (var r = 0; r < size; r++)
                {
                    for (var c = 0; c < size; c++)
                    {
                        output[(r * size) + c] = image[((last - r) * size) + last - c];
                    }
                }

                break;
            default: // three quarter turns: out(r, c) = in(n−1−c, r)
                for (var r = 0; r < size; r++)
                {
                    for (var c = 0; c < size; c++)
                    {
                        output[(r * size) + c] = image[((last - c) * size) + r];
                    }
                }

                break;
        }
    }

    /// <summary>Allocating form of <see cref="Rotate90(ReadOnlySpan{float}, int, int, Span{float})"/>.</summary>
    public static float[] Rotate90(ReadOnlySpan<float> image, int size, int quarterTurns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var output = new float[(long)size * size];
        Rotate90(image, size, quarterTurns, output);
        return output;
    }
}
