using System.Numerics;
using Bilevel.Tensors;

namespace Bilevel.Data.Text;

/// <summary>
/// The word-vector table V × D for a <see cref="Vocabulary"/>, ready for the engine's Embedding op: row
/// <see cref="Vocabulary.PadId"/> is zero; a word with a GloVe vector gets that vector (exact, case-sensitive lookup);
/// every other row (<c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and out-of-GloVe words) gets its own vector
/// drawn i.i.d. U(−a, a), a = 0.25 by default — the common practice of Kim (2014, "Convolutional Neural Networks for
/// Sentence Classification"), whose a = 0.25 gives unknown words roughly the variance of pre-trained ones. The draws are
/// sequential from <c>new Random(seed)</c> in row order, only for the rows that need them, so the table is a function
/// of (vocabulary, vectors, seed, a). Paper 004's code differs: it drops words without a GloVe 840B vector instead of
/// giving them random ones (reproduce with <see cref="VocabularyOptions.Filter"/> and
/// <see cref="Vocabulary.Encode"/>(dropUnknown: true)); its vectors are frozen.
/// </summary>
public sealed class EmbeddingTable
{
    private readonly bool[] _pretrained;

    private EmbeddingTable(double[] values, int rows, int dimension, bool[] pretrained, int pretrainedCount)
    {
        Values = values;
        Rows = rows;
        Dimension = dimension;
        _pretrained = pretrained;
        PretrainedCount = pretrainedCount;
    }

    /// <summary>Rows × Dimension values, row-major (row = token id).</summary>
    public double[] Values { get; }

    public int Rows { get; }

    public int Dimension { get; }

    /// <summary>Rows copied from GloVe.</summary>
    public int PretrainedCount { get; }

    /// <summary>Rows drawn at random (all rows except padding and the pre-trained ones).</summary>
    public int RandomCount => Rows - 1 - PretrainedCount;

    /// <summary>Whether row <paramref name="id"/> holds a GloVe vector.</summary>
    public bool IsPretrained(int id) => _pretrained[id];

    /// <summary>Builds the table; see the type's remarks for the rule.</summary>
    public static EmbeddingTable Build(Vocabulary vocabulary, GloveVectors vectors, int seed, double bound = 0.25)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(vectors);
        if (!(bound >= 0) || !double.IsFinite(bound))
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be finite and non-negative");
        }

        var rows = vocabulary.Count;
        var d = vectors.Dimension;
        var values = new double[checked(rows * d)];
        var pretrained = new bool[rows];
        var found = 0;
        var random = new Random(seed);
        for (var id = 0; id < rows; id++)
        {
            if (id == Vocabulary.PadId)
            {
                continue;
            }

            var target = values.AsSpan(id * d, d);
            var source = vectors.Vector(vocabulary[id]);
            if (!source.IsEmpty && id >= vocabulary.SpecialCount)
            {
                source.CopyTo(target);
                pretrained[id] = true;
                found++;
                continue;
            }

            for (var j = 0; j < d; j++)
            {
                target[j] = ((random.NextDouble() * 2) - 1) * bound;
            }
        }

        return new EmbeddingTable(values, rows, d, pretrained, found);
    }

    /// <summary>The table as a Rows × Dimension tensor of <typeparamref name="T"/> (a frozen table is a graph constant).</summary>
    public Tensor<T> ToTensor<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = new Tensor<T>(Rows, Dimension);
        var span = tensor.Span;
        for (var i = 0; i < Values.Length; i++)
        {
            span[i] = T.CreateChecked(Values[i]);
        }

        return tensor;
    }
}
