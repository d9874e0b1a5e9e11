using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Bilevel.Data.Text;

/// <summary>How term counts become feature values.</summary>
public enum TermWeighting
{
    /// <summary>Raw term counts (scikit-learn's <c>CountVectorizer</c>).</summary>
    Counts,

    /// <summary>Count × idf (scikit-learn's <c>TfidfVectorizer</c>): idf = ln((1 + n)/(1 + df)) + 1 with smoothing
    /// (the default), ln(n/df) + 1 without; n = fitted documents, df = fitted documents containing the term.</summary>
    TfIdf,
}

/// <summary>Row normalization applied after weighting.</summary>
public enum RowNormalization
{
    None,

    /// <summary>Each row divided by its Euclidean norm (rows of zeros stay zero), as scikit-learn's <c>norm='l2'</c>.</summary>
    L2,
}

/// <summary>Settings of <see cref="TextVectorizer"/>. The defaults are scikit-learn's <c>TfidfVectorizer()</c>.</summary>
public sealed record TextVectorizerOptions
{
    public Tokenizer Tokenizer { get; init; } = Tokenizer.ScikitLearn;

    public TermWeighting Weighting { get; init; } = TermWeighting.TfIdf;

    /// <summary>scikit-learn's <c>smooth_idf</c> (default true): add one to n and to every df.</summary>
    public bool SmoothIdf { get; init; } = true;

    public RowNormalization Normalization { get; init; } = RowNormalization.L2;

    /// <summary>Drop terms that occur in fewer fitted documents than this (scikit-learn's integer <c>min_df</c>; 1 keeps all).</summary>
    public int MinDocumentFrequency { get; init; } = 1;

    /// <summary>scikit-learn's <c>TfidfVectorizer()</c> defaults: tf-idf, smooth idf, L2 rows, min_df = 1.</summary>
    public static TextVectorizerOptions ScikitLearnTfIdf { get; } = new();

    /// <summary>
    /// What paper 002's 20 Newsgroups experiment uses through Grazzi et al.'s code: scikit-learn's
    /// <c>fetch_20newsgroups_vectorized</c>, i.e. <c>CountVectorizer()</c> counts (no idf) with every row L2-normalized,
    /// vocabulary fitted on the train split (scikit-learn reports p = 130,107 on its copy).
    /// </summary>
    public static TextVectorizerOptions Grazzi { get; } = new() { Weighting = TermWeighting.Counts };
}

/// <summary>
/// Bag-of-words features for a corpus as a <see cref="SparseMatrix"/> (documents × terms), built directly in CSR form
/// (no dense matrix; token spans are looked up without allocating strings). Terms are numbered in ordinal order of
/// their text, as scikit-learn's <c>vocabulary_</c>; columns within a row are sorted. <see cref="FitTransform"/> learns
/// the vocabulary (and idf) from one split; <see cref="Transform"/> maps another split onto it, ignoring unseen terms.
/// </summary>
public sealed class TextVectorizer
{
    private string[] _terms = [];
    private int[] _documentFrequencies = [];
    private double[] _idf = [];
    private Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public TextVectorizer(TextVectorizerOptions? options = null)
    {
        Options = options ?? TextVectorizerOptions.ScikitLearnTfIdf;
        ArgumentNullException.ThrowIfNull(Options.Tokenizer, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MinDocumentFrequency, nameof(options));
    }

    public TextVectorizerOptions Options { get; }

    public bool IsFitted { get; private set; }

    /// <summary>Number of features p (terms kept by the fit).</summary>
    public int FeatureCount => _terms.Length;

    /// <summary>Term of each column.</summary>
    public IReadOnlyList<string> Terms => _terms;

    /// <summary>Fitted document frequency of each column.</summary>
    public IReadOnlyList<int> DocumentFrequencies => _documentFrequencies;

    /// <summary>Idf of each column (empty for <see cref="TermWeighting.Counts"/>).</summary>
    public IReadOnlyList<double> Idf => _idf;

    /// <summary>Documents seen by the fit.</summary>
    public int FittedDocumentCount { get; private set; }

    /// <summary>Column of <paramref name="term"/>, or −1.</summary>
    public int IndexOf(string term) => _ids.TryGetValue(term, out var id) ? id : -1;

    /// <summary>Learns the vocabulary (and idf) from <paramref name="documents"/> and returns their feature matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SparseMatrix FitTransform(IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var tokenizer = Options.Tokenizer;
        var provisional = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = provisional.GetAlternateLookup<ReadOnlySpan<char>>();
        var terms = new List<string>();
        var frequencies = new List<int>();
        var lastDocument = new List<int>();
        var tokens = new List<int>();
        var starts = new int[documents.Count + 1];
        var ranges = new List<Range>();
        for (var d = 0; d < documents.Count; d++)
        {
            var text = tokenizer.Normalize(documents[d] ?? throw new ArgumentException($"document {d} is null", nameof(documents)));
            ranges.Clear();
            tokenizer.Split(text, ranges);
            foreach (var range in ranges)
            {
                var span = text.AsSpan()[range];
                if (!lookup.TryGetValue(span, out var id))
                {
                    id = terms.Count;
                    var term = span.ToString();
                    provisional.Add(term, id);
                    terms.Add(term);
                    frequencies.Add(0);
                    lastDocument.Add(-1);
                }

                if (lastDocument[id] != d)
                {
                    lastDocument[id] = d;
                    frequencies[id]++;
                }

                tokens.Add(id);
            }

            starts[d + 1] = tokens.Count;
        }

        // Keep terms with enough documents, numbered in ordinal order of their text.
        var kept = new List<int>(terms.Count);
        for (var t = 0; t < terms.Count; t++)
        {
            if (frequencies[t] >= Options.MinDocumentFrequency)
            {
                kept.Add(t);
            }
        }

        kept.Sort((a, b) => string.CompareOrdinal(terms[a], terms[b]));
        var final = new int[terms.Count];
        Array.Fill(final, -1);
        _terms = new string[kept.Count];
        _documentFrequencies = new int[kept.Count];
        _ids = new Dictionary<string, int>(kept.Count, StringComparer.Ordinal);
        for (var f = 0; f < kept.Count; f++)
        {
            final[kept[f]] = f;
            _terms[f] = terms[kept[f]];
            _documentFrequencies[f] = frequencies[kept[f]];
            _ids.Add(_terms[f], f);
        }

        FittedDocumentCount = documents.Count;
        _idf = Options.Weighting == TermWeighting.TfIdf ? ComputeIdf(_documentFrequencies, documents.Count, Options.SmoothIdf) : [];
        IsFitted = true;

        var builder = new RowBuilder(this);
        var all = CollectionsMarshal.AsSpan(tokens);
        for (var d = 0; d < documents.Count; d++)
        {
            foreach (var id in all[starts[d]..starts[d + 1]])
            {
                builder.Add(final[id]);
            }

            builder.EndRow();
        }

        return builder.Build();
    }

    /// <summary>Feature matrix of <paramref name="documents"/> over the fitted vocabulary (unseen terms ignored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public SparseMatrix Transform(IReadOnlyList<string> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (!IsFitted)
        {
            throw new InvalidOperationException("TextVectorizer.Transform before FitTransform");
        }

        var tokenizer = Options.Tokenizer;
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        var ranges = new List<Range>();
        var builder = new RowBuilder(this);
        for (var d = 0; d < documents.Count; d++)
        {
            var text = tokenizer.Normalize(documents[d] ?? throw new ArgumentException($"document {d} is null", nameof(documents)));
            ranges.Clear();
            tokenizer.Split(text, ranges);
            foreach (var range in ranges)
            {
                builder.Add(lookup.TryGetValue(text.AsSpan()[range], out var id) ? id : -1);
            }

            builder.EndRow();
        }

        return builder.Build();
    }

    private static double[] ComputeIdf(int[] frequencies, int documents, bool smooth)
    {
        var idf = new double[frequencies.Length];
        var n = smooth ? documents + 1.0 : documents;
        for (var j = 0; j < idf.Length; j++)
        {
            var df = smooth ? frequencies[j] + 1.0 : frequencies[j];
            idf[j] = Math.Log(n / df) + 1.0;
        }

        return idf;
    }

    /// <summary>Accumulates term ids of one row at a time into CSR arrays (dense count scratch + touched list).</summary>
    private sealed class RowBuilder
    {
        private readonly TextVectorizer _owner;
        private readonly int[] _counts;
        private readonly List<int> _touched = [];
        private readonly List<int> _pointers = [0];
        private readonly List<int> _columns = [];
        private readonly List<double> _values = [];

        public RowBuilder(TextVectorizer owner)
        {
            _owner = owner;
            _counts = new int[owner.FeatureCount];
        }

        public void Add(int id)
        {
            if (id >= 0 && _counts[id]++ == 0)
            {
                _touched.Add(id);
            }
        }

        public void EndRow()
        {
            var touched = CollectionsMarshal.AsSpan(_touched);
            touched.Sort();
            var start = _values.Count;
            var idf = _owner._idf;
            var sumSquares = 0.0;
            foreach (var id in touched)
            {
                var value = idf.Length > 0 ? _counts[id] * idf[id] : _counts[id];
                _counts[id] = 0;
                _columns.Add(id);
                _values.Add(value);
                sumSquares += value * value;
            }

            if (_owner.Options.Normalization == RowNormalization.L2 && sumSquares > 0)
            {
                var norm = Math.Sqrt(sumSquares);
                var values = CollectionsMarshal.AsSpan(_values);
                for (var k = start; k < values.Length; k++)
                {
                    values[k] /= norm;
                }
            }

            _touched.Clear();
            _pointers.Add(_values.Count);
        }

        public SparseMatrix Build() =>
            new(_pointers.Count - 1, _owner.FeatureCount, [.. _pointers], [.. _columns], [.. _values]);
    }
}
