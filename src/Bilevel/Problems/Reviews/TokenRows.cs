using Bilevel.Data.Text;

namespace Bilevel.Problems.Reviews;

/// <summary>
/// A labelled text set as one padded token matrix (row-major <see cref="Count"/> × <see cref="Width"/>, padding
/// <see cref="Vocabulary.PadId"/>), the data of paper 004's three RNN experiments (§4.1–4.3). Sequences are truncated
/// to a maximum length (paper 004's code does not truncate; a CPU budget does, see each profile), and every row keeps
/// at least one token. <see cref="Gather"/> copies a subset of rows, sorted by decreasing length so that the engine's
/// RNN skips finished sequences (as PyTorch's packed sequences do), into caller buffers.
/// </summary>
public sealed class TokenRows
{
    /// <summary>The rows of <paramref name="reviews"/> with their labels (or <paramref name="labels"/> when given, e.g. corrupted ones).</summary>
    /// <param name="reviews">Reviews or tweets with at least one token each.</param>
    /// <param name="maxLength">Tokens kept per row (the first ones); positive.</param>
    /// <param name="labels">Labels replacing the reviews' own (same count), or null.</param>
    public TokenRows(IReadOnlyList<EncodedReview> reviews, int maxLength, IReadOnlyList<int>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        if (reviews.Count == 0)
        {
            throw new ArgumentException("a token set needs at least one row", nameof(reviews));
        }

        if (labels is not null && labels.Count != reviews.Count)
        {
            throw new ArgumentException($"{labels.Count} labels for {reviews.Count} rows", nameof(labels));
        }

        Count = reviews.Count;
        Lengths = new int[Count];
        Labels = new int[Count];
        var width = 1;
        for (var i = 0; i < Count; i++)
        {
            var tokens = reviews[i].Tokens;
            if (tokens.Length == 0)
            {
                throw new ArgumentException($"row {i} (domain {reviews[i].Domain}) has no tokens", nameof(reviews));
            }

            Lengths[i] = Math.Min(tokens.Length, maxLength);
            Labels[i] = labels?[i] ?? reviews[i].Label;
            width = Math.Max(width, Lengths[i]);
        }

        Width = width;
        Tokens = new int[checked(Count * width)];
        for (var i = 0; i < Count; i++)
        {
            reviews[i].Tokens.AsSpan(0, Lengths[i]).CopyTo(Tokens.AsSpan(i * width));
        }
    }

    /// <summary>The rows of padded batches (e.g. the support or query sets of tasks), in batch order.</summary>
    public static TokenRows FromBatches(IEnumerable<TokenBatch> batches, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var reviews = new List<EncodedReview>();
        foreach (var batch in batches)
        {
            for (var n = 0; n < batch.Count; n++)
            {
                reviews.Add(new EncodedReview("", batch.Labels[n], batch.Tokens.AsSpan(n * batch.Length, batch.Lengths[n]).ToArray()));
            }
        }

        return new TokenRows(reviews, maxLength);
    }

    /// <summary>Rows.</summary>
    public int Count { get; }

    /// <summary>The longest (truncated) row.</summary>
    public int Width { get; }

    /// <summary>Token ids, row-major Count × Width.</summary>
    public int[] Tokens { get; }

    /// <summary>Tokens of each row, in [1, Width].</summary>
    public int[] Lengths { get; }

    /// <summary>Label of each row (0 negative, 1 positive).</summary>
    public int[] Labels { get; }

    /// <summary>Mean tokens per row.</summary>
    public double MeanLength
    {
        get
        {
            var total = 0L;
            foreach (var length in Lengths)
            {
                total += length;
            }

            return total / (double)Count;
        }
    }

    /// <summary>
    /// Copies rows <paramref name="rows"/> into the buffers in the order <paramref name="order"/> gives (order[p] = the
    /// position in <paramref name="rows"/> of the p-th copied row, longest first, ties by position): tokens
    /// row-major rows.Length × width, lengths and labels. Returns width, the longest length among them. Allocation-free.
    /// With <paramref name="sortByLength"/> false the rows keep their given order (order[p] = p).
    /// </summary>
    public int Gather(ReadOnlySpan<int> rows, Span<int> order, Span<int> tokens, Span<int> lengths, Span<int> labels, bool sortByLength = true)
    {
        var n = rows.Length;
        for (var p = 0; p < n && !sortByLength; p++)
        {
            order[p] = p;
        }

        for (var p = 0; p < n && sortByLength; p++)
        {
            // Insertion sort by decreasing length (stable): chunks are at most a few hundred rows.
            var length = Lengths[rows[p]];
            var q = p;
            while (q > 0 && Lengths[rows[order[q - 1]]] < length)
            {
                order[q] = order[q - 1];
                q--;
            }

            order[q] = p;
        }

        var width = 1;
        for (var p = 0; p < n; p++)
        {
            width = Math.Max(width, Lengths[rows[p]]);
        }

        for (var p = 0; p < n; p++)
        {
            var row = rows[order[p]];
            var length = Lengths[row];
            var target = tokens.Slice(p * width, width);
            Tokens.AsSpan(row * Width, length).CopyTo(target);
            target[length..].Clear(); // Vocabulary.PadId = 0
            lengths[p] = length;
            labels[p] = Labels[row];
        }

        return width;
    }
}
