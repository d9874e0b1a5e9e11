namespace Bilevel.Data;

/// <summary>
/// Disjoint index splits of a dataset, e.g. train/validation/test for data hyper-cleaning:
/// <list type="bullet">
/// <item>paper 000 §6.2: 5,000 training images (labels perturbed) and another 5,000 clean validation images, drawn
/// at random from the training set;</item>
/// <item>paper 002 App. A.2 (and 003 §4.1, which follows its code): 20,000 training, 5,000 validation and the
/// 10,000 test images; the reference code takes the training images in file order;</item>
/// <item>with only the 10,000 bundled MNIST test images: e.g. 6,000/2,000/2,000.</item>
/// </list>
/// Pass the index arrays to <see cref="LabeledImageSet.Subset"/>.
/// </summary>
public static class Splits
{
    /// <summary>A uniformly random permutation of 0…count−1: Fisher–Yates from the identity, j = Next(i + 1) for i = count−1 down to 1.</summary>
    public static int[] Permutation(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        Shuffle(order, new Random(seed));
        return order;
    }

    /// <summary>Shuffles <paramref name="indices"/> in place (Fisher–Yates, j = Next(i + 1) for i = n−1 down to 1).</summary>
    public static void Shuffle(Span<int> indices, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        for (var i = indices.Length - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
    }

    /// <summary>
    /// Consecutive parts of the seeded <see cref="Permutation"/> of 0…count−1 with the given sizes: disjoint, each
    /// uniformly random; samples beyond the sum of the sizes are left out.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative or the sizes add up to more than <paramref name="count"/>.</exception>
    public static int[][] Shuffled(int count, ReadOnlySpan<int> sizes, int seed)
    {
        CheckSizes(count, sizes);
        return Cut(Permutation(count, seed), sizes);
    }

    /// <summary>
    /// Consecutive index ranges in file order (0…sizes[0]−1, then the next sizes[1], …), as the reference code of
    /// paper 002 takes its 20,000 training images.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative or the sizes add up to more than <paramref name="count"/>.</exception>
    public static int[][] Contiguous(int count, ReadOnlySpan<int> sizes)
    {
        CheckSizes(count, sizes);
        var identity = new int[count];
        for (var i = 0; i < count; i++)
        {
            identity[i] = i;
        }

        return Cut(identity, sizes);
    }

    private static int[][] Cut(int[] order, ReadOnlySpan<int> sizes)
    {
        var parts = new int[sizes.Length][];
        var offset = 0;
        for (var p = 0; p < sizes.Length; p++)
        {
            parts[p] = order.AsSpan(offset, sizes[p]).ToArray();
            offset += sizes[p];
        }

        return parts;
    }

    private static void CheckSizes(int count, ReadOnlySpan<int> sizes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long total = 0;
        for (var p = 0; p < sizes.Length; p++)
        {
            if (sizes[p] < 0)
            {
                throw new ArgumentException($"split size {p} is {sizes[p]}; sizes must be non-negative", nameof(sizes));
            }

            total += sizes[p];
        }

        if (total > count)
        {
            var terms = new string[sizes.Length];
            for (var p = 0; p < sizes.Length; p++)
            {
                terms[p] = sizes[p].ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            throw new ArgumentException(
                $"split sizes {string.Join(" + ", terms)} = {total} exceed the {count} available samples", nameof(sizes));
        }
    }
}
