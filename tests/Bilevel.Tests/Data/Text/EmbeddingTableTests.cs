using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class EmbeddingTableTests
{
    private static readonly Lazy<GloveVectors> Glove = new(() => GloveReader.Read(TextTestData.Path("glove/glove.6B.50d.top5050.txt")));

    [Fact]
    public void Build_PadZeroGloveCopiedOthersUniform()
    {
        var vocabulary = Vocabulary.FromWords(["the", "qwertyuiop", "madam"], sentenceBoundaries: true);
        var table = EmbeddingTable.Build(vocabulary, Glove.Value, seed: 5);
        Assert.Equal((7, 50, 2, 4), (table.Rows, table.Dimension, table.PretrainedCount, table.RandomCount));
        Assert.All(table.Values.AsSpan(0, 50).ToArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(Glove.Value.Vector("the").ToArray(), table.Values.AsSpan(4 * 50, 50).ToArray());
        Assert.Equal(Glove.Value.Vector("madam").ToArray(), table.Values.AsSpan(6 * 50, 50).ToArray());
        Assert.True(table.IsPretrained(4) && table.IsPretrained(6));
        foreach (var id in new[] { 1, 2, 3, 5 })
        {
            Assert.False(table.IsPretrained(id));
            var row = table.Values.AsSpan(id * 50, 50).ToArray();
            Assert.All(row, v => Assert.InRange(v, -0.25, 0.25));
            Assert.Contains(row, v => v != 0);
        }
    }

    [Fact]
    public void Build_SameSeedSameTable_DifferentSeedDifferentRandomRows()
    {
        var vocabulary = Vocabulary.FromWords(["the", "qwertyuiop", "zxcvbnm"]);
        var a = EmbeddingTable.Build(vocabulary, Glove.Value, seed: 9);
        var b = EmbeddingTable.Build(vocabulary, Glove.Value, seed: 9);
        var c = EmbeddingTable.Build(vocabulary, Glove.Value, seed: 10);
        Assert.Equal(a.Values, b.Values);
        Assert.NotEqual(a.Values.AsSpan(3 * 50, 50).ToArray(), c.Values.AsSpan(3 * 50, 50).ToArray());
        Assert.Equal(a.Values.AsSpan(2 * 50, 50).ToArray(), c.Values.AsSpan(2 * 50, 50).ToArray()); // "the" is GloVe either way
    }

    [Fact]
    public void Build_ManyUnknownWords_UniformMoments()
    {
        // 2,000 out-of-GloVe words × 50 = 100,000 draws of U(−0.25, 0.25): mean 0, variance 0.25²/3 = 0.0208333.
        var vocabulary = Vocabulary.FromWords(Enumerable.Range(0, 2000).Select(i => $"oov{i}"));
        var table = EmbeddingTable.Build(vocabulary, Glove.Value, seed: 1);
        var draws = table.Values.AsSpan(50).ToArray();
        Assert.Equal(100_050, draws.Length);
        var mean = draws.Average();
        var variance = draws.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.0025, 0.0025); // 5σ, σ = 0.144/√100050
        Assert.InRange(variance, 0.0205, 0.0212);
        Assert.InRange(draws.Max(), 0.2490, 0.25);
        Assert.InRange(draws.Min(), -0.25, -0.2490);
    }

    [Fact]
    public void ToTensor_FloatCopyOfValues()
    {
        var vocabulary = Vocabulary.FromWords(["the"]);
        var table = EmbeddingTable.Build(vocabulary, Glove.Value, seed: 2);
        var tensor = table.ToTensor<float>();
        Assert.Equal([3, 50], tensor.Shape);
        Assert.Equal(0.418f, tensor[2 * 50]);
    }

    [Fact]
    public void Build_FduMtlVocabulary_GloveCoverage()
    {
        var data = TextTestData.FduMtl;
        var tokenizer = Tokenizer.LowercaseWhitespace;
        var documents = data.Reviews
            .Where(r => r.Label is not null && FduMtlDataset.IsAmazonDomain(r.Domain))
            .Select(r => (IReadOnlyList<string>)tokenizer.Tokenize(r.Text))
            .ToList();
        var vocabulary = Vocabulary.Build(documents);
        var table = EmbeddingTable.Build(vocabulary, Glove.Value, seed: 0);
        // 14 Amazon domains, train + test: 78,814 distinct words, 4,895 of them in the 5,050-word GloVe subset.
        Assert.Equal(78816, vocabulary.Count);
        Assert.Equal(4895, table.PretrainedCount);
        Assert.Equal(78816 - 1 - 4895, table.RandomCount);
    }
}
