using System.Runtime.CompilerServices;
using System.Text;

namespace Bilevel.Data.Text;

/// <summary>How a <see cref="Tokenizer"/> cuts text into tokens.</summary>
public enum TokenizerMode
{
    /// <summary>
    /// Maximal runs of non-whitespace characters, as Python's <c>str.split()</c>, which paper 004's code applies to its
    /// pre-tokenized review text (<c>sent.split()</c>). The right mode for FDU-MTL, whose text is already lower-cased and
    /// tokenized ("does n't", "it 's", " , ").
    /// </summary>
    Whitespace,

    /// <summary>
    /// scikit-learn's default <c>CountVectorizer</c>/<c>TfidfVectorizer</c> token pattern <c>(?u)\b\w\w+\b</c>: maximal
    /// runs of word characters (letters, numbers of any kind, underscore — Python's <c>\w</c>) that are at least two
    /// code points long; punctuation and one-character words are dropped. Used for 20 Newsgroups (paper 002 after
    /// Grazzi et al., whose code calls <c>fetch_20newsgroups_vectorized</c>).
    /// </summary>
    ScikitLearn,

    /// <summary>
    /// A Penn-Treebank-like word/punctuation split that reproduces FDU-MTL's preprocessing on raw text (Blitzer reviews,
    /// tweets), so raw text meets GloVe's lower-cased Wikipedia/Gigaword vocabulary: words are runs of word characters
    /// joined by inner hyphens or apostrophes ("well-written", "o'neill") or by '.'/',' between digits ("3.5", "1,000");
    /// the clitics n't, 's, 're, 've, 'll, 'd, 'm are split off ("don't" → "do" "n't", "can't" → "ca" "n't", "it's" →
    /// "it" "'s"); runs of two or more '.' or '-' stay one token ("...", "--"); every other non-space character is its
    /// own token (a surrogate pair, e.g. an emoji, is one token). Typographic apostrophes ’ ‘ become '.
    /// </summary>
    WordPunctuation,
}

/// <summary>
/// Splits text into tokens, optionally lower-casing first (<see cref="string.ToLowerInvariant()"/>). Paper 004's code
/// splits on whitespace without changing case (its GloVe 840B vectors are cased); with the bundled lower-cased GloVe 6B
/// vectors, <see cref="LowercaseWhitespace"/> is the matching choice for FDU-MTL and <see cref="WordPunctuationLower"/>
/// for raw text. Token boundaries are found on the normalized text (<see cref="Normalize"/>), so
/// <see cref="Split"/> returns ranges into it without allocating strings.
/// </summary>
public sealed class Tokenizer
{
    private static readonly string[] Clitics = ["'s", "'re", "'ve", "'ll", "'d", "'m"];

    public Tokenizer(TokenizerMode mode, bool lowercase)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown tokenizer mode");
        }

        Mode = mode;
        Lowercase = lowercase;
    }

    /// <summary>Python's <c>str.split()</c>, case kept: exactly paper 004's code.</summary>
    public static Tokenizer Whitespace { get; } = new(TokenizerMode.Whitespace, lowercase: false);

    /// <summary>Lower-case, then split on whitespace: FDU-MTL text with lower-cased GloVe 6B vectors.</summary>
    public static Tokenizer LowercaseWhitespace { get; } = new(TokenizerMode.Whitespace, lowercase: true);

    /// <summary>scikit-learn's CountVectorizer defaults (lowercase=True, token_pattern=r"(?u)\b\w\w+\b").</summary>
    public static Tokenizer ScikitLearn { get; } = new(TokenizerMode.ScikitLearn, lowercase: true);

    /// <summary>Lower-case, then the PTB-like <see cref="TokenizerMode.WordPunctuation"/> split, for raw reviews and tweets.</summary>
    public static Tokenizer WordPunctuationLower { get; } = new(TokenizerMode.WordPunctuation, lowercase: true);

    public TokenizerMode Mode { get; }

    public bool Lowercase { get; }

    /// <summary>The text the token ranges refer to: lower-cased if <see cref="Lowercase"/>, and with ’ ‘ mapped to '
    /// in <see cref="TokenizerMode.WordPunctuation"/>.</summary>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = Lowercase ? text.ToLowerInvariant() : text;
        if (Mode == TokenizerMode.WordPunctuation && normalized.AsSpan().IndexOfAny('\u2019', '\u2018') >= 0)
        {
            normalized = normalized.Replace('\u2019', '\'').Replace('\u2018', '\'');
        }

        return normalized;
    }

    /// <summary>Tokens of <paramref name="text"/> as new strings.</summary>
    public List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="output"/>; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Tokenize(string text, List<string> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var normalized = Normalize(text);
        var ranges = new List<Range>();
        Split(normalized, ranges);
        foreach (var range in ranges)
        {
            output.Add(normalized[range]);
        }

        return ranges.Count;
    }

    /// <summary>Appends the token ranges of already <see cref="Normalize">normalized</see> text to <paramref name="tokens"/>.</summary>
    public void Split(ReadOnlySpan<char> normalized, List<Range> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        switch (Mode)
        {
            case TokenizerMode.Whitespace:
                SplitWhitespace(normalized, tokens);
                break;
            case TokenizerMode.ScikitLearn:
                SplitScikitLearn(normalized, tokens);
                break;
            default:
                SplitWordPunctuation(normalized, tokens);
                break;
        }
    }

    /// <summary>Python's <c>str.isspace()</c>: .NET whitespace plus the separators U+001C–U+001F.</summary>
    internal static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\u001C' && c <= '\u001F');

    /// <summary>Python's <c>\w</c> at <paramref name="i"/> (letters, numbers of any kind, '_'); <paramref name="width"/>
    /// is 2 for a surrogate pair.</summary>
    internal static bool IsWordAt(ReadOnlySpan<char> s, int i, out int width)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            width = 2;
            var rune = new Rune(c, s[i + 1]);
            return Rune.IsLetter(rune) || Rune.IsNumber(rune);
        }

        width = 1;
        return char.IsLetter(c) || char.IsNumber(c) || c == '_';
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitWhitespace(ReadOnlySpan<char> s, List<Range> tokens)
    {
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i]))
            {
                i++;
            }

            var start = i;
            while (i < s.Length && !IsSpace(s[i]))
            {
                i++;
            }

            if (i > start)
            {
                tokens.Add(start..i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitScikitLearn(ReadOnlySpan<char> s, List<Range> tokens)
    {
        var i = 0;
        while (i < s.Length)
        {
            if (!IsWordAt(s, i, out var width))
            {
                i += width;
                continue;
            }

            var start = i;
            var codePoints = 0;
            while (i < s.Length && IsWordAt(s, i, out width))
            {
                i += width;
                codePoints++;
            }

            if (codePoints >= 2)
            {
                tokens.Add(start..i);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitWordPunctuation(ReadOnlySpan<char> s, List<Range> tokens)
    {
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (IsSpace(c))
            {
                i++;
                continue;
            }

            if (IsWordAt(s, i, out var width))
            {
                var j = i + width;
                while (j < s.Length)
                {
                    if (IsWordAt(s, j, out var w))
                    {
                        j += w;
                    }
                    else if (j + 1 < s.Length && IsConnector(s, j) && IsWordAt(s, j + 1, out _))
                    {
                        j++;
                    }
                    else
                    {
                        break;
                    }
                }

                AddWord(s, i, j, tokens);
                i = j;
                continue;
            }

            if (c is '.' or '-')
            {
                var j = i + 1;
                while (j < s.Length && s[j] == c)
                {
                    j++;
                }

                tokens.Add(i..j);
                i = j;
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]) ? 2 : 1;
            tokens.Add(i..(i + length));
            i += length;
        }
    }

    private static bool IsConnector(ReadOnlySpan<char> s, int j) => s[j] switch
    {
        '\'' or '-' => true,
        '.' or ',' => char.IsDigit(s[j - 1]) && char.IsDigit(s[j + 1]),
        _ => false,
    };

    private static void AddWord(ReadOnlySpan<char> s, int start, int end, List<Range> tokens)
    {
        var word = s[start..end];
        if (word.Length > 3 && word.EndsWith("n't", StringComparison.OrdinalIgnoreCase) && char.IsLetter(word[^4]))
        {
            tokens.Add(start..(end - 3));
            tokens.Add((end - 3)..end);
            return;
        }

        var apostrophe = word.LastIndexOf('\'');
        if (apostrophe > 0)
        {
            var suffix = word[apostrophe..];
            foreach (var clitic in Clitics)
            {
                if (suffix.Equals(clitic, StringComparison.OrdinalIgnoreCase))
                {
                    tokens.Add(start..(start + apostrophe));
                    tokens.Add((start + apostrophe)..end);
                    return;
                }
            }
        }

        tokens.Add(start..end);
    }
}
