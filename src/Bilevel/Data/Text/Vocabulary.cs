using System.Runtime.CompilerServices;
namespace Bilevel.Data.Text;

/// <summary>Settings of <see cref="Vocabulary.Build"/>.</summary>
public sealed record VocabularyOptions
{
    /// <summary>Keep words seen at least this many times (counting every occurrence); default 1 keeps all.</summary>
    public int MinFrequency { get; init; } = 1;

    /// <summary>Keep at most this many corpus words (specials not counted), most frequent first; null keeps all.</summary>
    public int? MaxWords { get; init; }

    /// <summary>Add the sentence markers <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> (ids 2 and 3), as paper 004's code does.</summary>
    public bool SentenceBoundaries { get; init; }

    /// <summary>Keep only words for which this returns true, e.g. "has a GloVe vector" (paper 004's code drops the
    /// others); null keeps all.</summary>
    public Func<string, bool>? Filter { get; init; }
}

/// <summary>
/// Word ↔ id map for the embedding lookup. Ids: <see cref="PadId"/> = 0 (<c>&lt;pad&gt;</c>, fills the tail of a padded
/// batch; the engine's Embedding op does not read it when lengths are given), <see cref="UnknownId"/> = 1
/// (<c>&lt;unk&gt;</c>, words not in the vocabulary), optionally <c>&lt;s&gt;</c> = 2 and <c>&lt;/s&gt;</c> = 3, then the
/// corpus words by decreasing frequency, ties in ordinal order (deterministic). Corpus tokens spelled like a special
/// token are the special token.
/// </summary>
public sealed class Vocabulary
{
    public const int PadId = 0;
    public const int UnknownId = 1;
    public const string PadToken = "<pad>";
    public const string UnknownToken = "<unk>";
    public const string BeginToken = "<s>";
    public const string EndToken = "</s>";

    private readonly string[] _tokens;
    private readonly long[] _frequencies;
    private readonly Dictionary<string, int> _ids;

    private Vocabulary(string[] tokens, long[] frequencies, bool sentenceBoundaries)
    {
        _tokens = tokens;
        _frequencies = frequencies;
        HasSentenceBoundaries = sentenceBoundaries;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            _ids.Add(tokens[i], i);
        }
    }

    public int Count => _tokens.Length;

    /// <summary>Tokens by id.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Corpus frequency by id (0 for the special tokens).</summary>
    public IReadOnlyList<long> Frequencies => _frequencies;

    public bool HasSentenceBoundaries { get; }

    /// <summary>Id of <c>&lt;s&gt;</c>, or −1 without sentence boundaries.</summary>
    public int BeginId => HasSentenceBoundaries ? 2 : -1;

    /// <summary>Id of <c>&lt;/s&gt;</c>, or −1 without sentence boundaries.</summary>
    public int EndId => HasSentenceBoundaries ? 3 : -1;

    /// <summary>Number of special tokens (2, or 4 with sentence boundaries); corpus words start at this id.</summary>
    public int SpecialCount => HasSentenceBoundaries ? 4 : 2;

    public string this[int id] => _tokens[id];

    /// <summary>Counts the tokens of <paramref name="documents"/> and keeps the words the options allow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vocabulary Build(IEnumerable<IReadOnlyList<string>> documents, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= new VocabularyOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MinFrequency);
        if (options.MaxWords is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxWords, "MaxWords must be non-negative");
        }

        var specials = Specials(options.SentenceBoundaries);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            for (var i = 0; i < document.Count; i++)
            {
                var token = document[i];
                if (Array.IndexOf(specials, token) < 0)
                {
                    counts[token] = counts.GetValueOrDefault(token) + 1;
                }
            }
        }

        var words = new List<KeyValuePair<string, long>>(counts.Count);
        foreach (var pair in counts)
        {
            if (pair.Value >= options.MinFrequency && (options.Filter is null || options.Filter(pair.Key)))
            {
                words.Add(pair);
            }
        }

        words.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var kept = Math.Min(words.Count, options.MaxWords ?? int.MaxValue);
        var tokens = new string[specials.Length + kept];
        var frequencies = new long[tokens.Length];
        specials.CopyTo(tokens, 0);
        for (var i = 0; i < kept; i++)
        {
            tokens[specials.Length + i] = words[i].Key;
            frequencies[specials.Length + i] = words[i].Value;
        }

        return new Vocabulary(tokens, frequencies, options.SentenceBoundaries);
    }

    /// <summary>A vocabulary of the given words in the given order after the special tokens (duplicates and special
    /// spellings are skipped); frequencies are 0.</summary>
    public static Vocabulary FromWords(IEnumerable<string> words, bool sentenceBoundaries = false)
    {
        ArgumentNullException.ThrowIfNull(words);
        var specials = Specials(sentenceBoundaries);
        var tokens = new List<string>(specials);
        var seen = new HashSet<string>(specials, StringComparer.Ordinal);
        foreach (var word in words)
        {
            ArgumentNullException.ThrowIfNull(word, nameof(words));
            if (seen.Add(word))
            {
                tokens.Add(word);
            }
        }

        return new Vocabulary([.. tokens], new long[tokens.Count], sentenceBoundaries);
    }

    public bool Contains(string token) => _ids.ContainsKey(token);

    public bool TryGetId(string token, out int id) => _ids.TryGetValue(token, out id);

    /// <summary>The id of <paramref name="token"/>, or <see cref="UnknownId"/>.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : UnknownId;

    /// <summary>
    /// Token ids of a tokenized text. Unknown words become <see cref="UnknownId"/>, or are left out when
    /// <paramref name="dropUnknown"/> (paper 004's code keeps only words with a GloVe vector). With
    /// <paramref name="addBoundaries"/> the ids are wrapped in <c>&lt;s&gt;</c> … <c>&lt;/s&gt;</c> (requires
    /// <see cref="HasSentenceBoundaries"/>), which also guarantees a length of at least 2.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int[] Encode(IReadOnlyList<string> tokens, bool addBoundaries = false, bool dropUnknown = false)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (addBoundaries && !HasSentenceBoundaries)
        {
            throw new InvalidOperationException("Encode(addBoundaries: true) needs a vocabulary built with SentenceBoundaries");
        }

        var ids = new List<int>(tokens.Count + 2);
        if (addBoundaries)
        {
            ids.Add(BeginId);
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            if (_ids.TryGetValue(tokens[i], out var id))
            {
                ids.Add(id);
            }
            else if (!dropUnknown)
            {
                ids.Add(UnknownId);
            }
        }

        if (addBoundaries)
        {
            ids.Add(EndId);
        }

        return [.. ids];
    }

    private static string[] Specials(bool sentenceBoundaries) =>
        sentenceBoundaries ? [PadToken, UnknownToken, BeginToken, EndToken] : [PadToken, UnknownToken];
}
