using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class TokenizerTests
{
    [Fact]
    public void Whitespace_SplitsLikePythonStrSplit_KeepsCase()
    {
        Assert.Equal(["Do", "n't", "STOP", ",", "ok", "x"], Tokenizer.Whitespace.Tokenize("  Do n't\tSTOP , \u00a0ok\u001cx\r\n"));
        Assert.Empty(Tokenizer.Whitespace.Tokenize(" \t\n "));
    }

    [Fact]
    public void LowercaseWhitespace_FduMtlLine_TokensUnchangedButLowered()
    {
        Assert.Equal(["i", "did", "n't", "find", "it", "'s", "café", "."], Tokenizer.LowercaseWhitespace.Tokenize("I did n't find it 's Café ."));
    }

    [Fact]
    public void ScikitLearn_DropsPunctuationAndSingleCharacters()
    {
        Assert.Equal(
            ["don", "stop", "me_too", "42", "wätte", "deluxe½", "ab"],
            Tokenizer.ScikitLearn.Tokenize("I don't STOP: me_too, 42 a Wätte þ DeLuxe½ -- x.ab"));
    }

    [Fact]
    public void ScikitLearn_SurrogatePairLetterCountsAsOneCodePoint()
    {
        // U+1D400 MATHEMATICAL BOLD CAPITAL A is a letter: alone it is one code point (dropped), with "b" two (kept).
        Assert.Equal(["\U0001D400b"], Tokenizer.ScikitLearn.Tokenize("\U0001D400 \U0001D400b"));
    }

    [Fact]
    public void WordPunctuation_SplitsCliticsAndPunctuationLikeFduMtl()
    {
        var tokens = Tokenizer.WordPunctuationLower.Tokenize(
            "I don't think it's well-written... Can't believe -- 3.5 stars, 1,000 rock'n'roll! 😀 students' books");
        Assert.Equal(
            ["i", "do", "n't", "think", "it", "'s", "well-written", "...", "ca", "n't", "believe", "--", "3.5", "stars", ",", "1,000",
                "rock'n'roll", "!", "😀", "students", "'", "books"],
            tokens);
    }

    [Fact]
    public void WordPunctuation_TypographicApostropheAndOtherClitics()
    {
        Assert.Equal(
            ["we", "'re", "sure", "you", "'ll", "like", "it", "'s", "end", ".", "i", "'m", "o'neill", "a", ".", "b", "2.5"],
            Tokenizer.WordPunctuationLower.Tokenize("We\u2019re sure you'll like it\u2019s end. I'm O'Neill a.b 2.5"));
    }

    [Fact]
    public void WordPunctuation_BlitzerReview_MatchesFduMtlStyle()
    {
        var tokens = Tokenizer.WordPunctuationLower.Tokenize("THis book was horrible.  If it was possible to rate it lower than one star i would have.");
        Assert.Equal("this book was horrible . if it was possible to rate it lower than one star i would have .", string.Join(' ', tokens));
    }

    [Fact]
    public void Split_ReturnsRangesIntoNormalizedText()
    {
        var tokenizer = Tokenizer.WordPunctuationLower;
        var normalized = tokenizer.Normalize("Isn\u2019t IT?");
        Assert.Equal("isn't it?", normalized);
        var ranges = new List<Range>();
        tokenizer.Split(normalized, ranges);
        Assert.Equal(["is", "n't", "it", "?"], ranges.Select(r => normalized[r]));
    }

    [Fact]
    public void Constructor_UnknownMode_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Tokenizer((TokenizerMode)7, lowercase: true));
    }
}
