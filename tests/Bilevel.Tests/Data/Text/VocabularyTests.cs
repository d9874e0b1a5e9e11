using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class VocabularyTests
{
    private static readonly IReadOnlyList<string>[] Documents =
    [
        ["b", "a", "c", "a"],
        ["c", "a", "d", "<unk>"],
        ["e", "b", "<s>"],
    ];

    [Fact]
    public void Build_Default_SpecialsThenFrequencyThenOrdinal()
    {
        var vocabulary = Vocabulary.Build(Documents);
        // a ×3; b ×2, c ×2 (ordinal tie-break); d ×1, e ×1; "<unk>" in text is the special; "<s>" is a word here.
        Assert.Equal(["<pad>", "<unk>", "a", "b", "c", "<s>", "d", "e"], vocabulary.Tokens);
        Assert.Equal([0L, 0, 3, 2, 2, 1, 1, 1], vocabulary.Frequencies);
        Assert.Equal((0, 1, -1, -1, 2), (Vocabulary.PadId, Vocabulary.UnknownId, vocabulary.BeginId, vocabulary.EndId, vocabulary.SpecialCount));
    }

    [Fact]
    public void Build_MinFrequencyMaxWordsAndFilter()
    {
        Assert.Equal(["<pad>", "<unk>", "a", "b", "c"], Vocabulary.Build(Documents, new VocabularyOptions { MinFrequency = 2 }).Tokens);
        Assert.Equal(["<pad>", "<unk>", "a", "b"], Vocabulary.Build(Documents, new VocabularyOptions { MaxWords = 2 }).Tokens);
        Assert.Equal(["<pad>", "<unk>", "c", "d"], Vocabulary.Build(Documents, new VocabularyOptions { Filter = w => w is "c" or "d" }).Tokens);
    }

    [Fact]
    public void Build_SentenceBoundaries_AddsBeginEndAtIds2And3()
    {
        var vocabulary = Vocabulary.Build(Documents, new VocabularyOptions { SentenceBoundaries = true });
        Assert.Equal(["<pad>", "<unk>", "<s>", "</s>", "a", "b", "c", "d", "e"], vocabulary.Tokens);
        Assert.Equal((2, 3, 4), (vocabulary.BeginId, vocabulary.EndId, vocabulary.SpecialCount));
        Assert.Equal([2, 4, 1, 6, 3], vocabulary.Encode(["a", "zzz", "c"], addBoundaries: true));
    }

    [Fact]
    public void Encode_UnknownMappedOrDropped()
    {
        var vocabulary = Vocabulary.Build(Documents);
        Assert.Equal([2, 1, 4, 1], vocabulary.Encode(["a", "zzz", "c", "<unk>"]));
        Assert.Equal([2, 4, 1], vocabulary.Encode(["a", "zzz", "c", "<unk>"], dropUnknown: true));
        Assert.Equal(1, vocabulary.IdOf("nope"));
        Assert.True(vocabulary.TryGetId("e", out var e));
        Assert.Equal(7, e);
        var ex = Assert.Throws<InvalidOperationException>(() => vocabulary.Encode(["a"], addBoundaries: true));
        Assert.Equal("Encode(addBoundaries: true) needs a vocabulary built with SentenceBoundaries", ex.Message);
    }

    [Fact]
    public void FromWords_KeepsOrderSkipsDuplicatesAndSpecials()
    {
        var vocabulary = Vocabulary.FromWords(["x", "y", "x", "<pad>", "z"]);
        Assert.Equal(["<pad>", "<unk>", "x", "y", "z"], vocabulary.Tokens);
    }

    [Fact]
    public void Build_BadOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Documents, new VocabularyOptions { MinFrequency = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Documents, new VocabularyOptions { MaxWords = -1 }));
    }
}
