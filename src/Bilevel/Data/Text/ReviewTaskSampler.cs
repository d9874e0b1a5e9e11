namespace Bilevel.Data.Text;

/// <summary>A review as token ids: domain, binary label (0 negative, 1 positive) and ids into a <see cref="Vocabulary"/>.</summary>
public sealed record EncodedReview(string Domain, int Label, int[] Tokens);

/// <summary>
/// A padded batch of token sequences in the layout of the engine's Embedding/RNN operations
/// (<c>Operations.Embedding(table, Tokens, Count, Length, Lengths)</c>): <see cref="Tokens"/> is row-major
/// Count × Length, sequence n occupies positions [0, Lengths[n]) and the rest is filled with <see cref="PadId"/>
/// (<see cref="Vocabulary.PadId"/> = 0 by default, whose embedding row is zero; with lengths given the ops never
/// read padding). Length is the longest sequence of the batch; every length is at least 1.
/// </summary>
public sealed class TokenBatch
{
    /// <summary>Pads <paramref name="reviews"/> into one batch, truncating each to <paramref name="maxLength"/> tokens
    /// when it is positive.</summary>
    public TokenBatch(IReadOnlyList<EncodedReview> reviews, int padId = Vocabulary.PadId, int maxLength = 0)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        Count = reviews.Count;
        PadId = padId;
        Lengths = new int[Count];
        Labels = new int[Count];
        var length = 0;
        for (var n = 0; n < Count; n++)
        {
            var tokens = reviews[n].Tokens;
            if (tokens.Length == 0)
            {
                throw new ArgumentException($"review {n} of the batch (domain {reviews[n].Domain}) has no tokens", nameof(reviews));
            }

            Lengths[n] = maxLength > 0 ? Math.Min(tokens.Length, maxLength) : tokens.Length;
            Labels[n] = reviews[n].Label;
            length = Math.Max(length, Lengths[n]);
        }

        Length = length;
        Tokens = new int[checked(Count * length)];
        Array.Fill(Tokens, padId);
        for (var n = 0; n < Count; n++)
        {
            reviews[n].Tokens.AsSpan(0, Lengths[n]).CopyTo(Tokens.AsSpan(n * length));
        }
    }

    /// <summary>N, the number of sequences.</summary>
    public int Count { get; }

    /// <summary>L, the padded length (longest sequence).</summary>
    public int Length { get; }

    /// <summary>Token ids, row-major N × L.</summary>
    public int[] Tokens { get; }

    /// <summary>Real length of each sequence, in [1, L].</summary>
    public int[] Lengths { get; }

    public int[] Labels { get; }

    /// <summary>Id written at padded positions.</summary>
    public int PadId { get; }
}

/// <summary>One few-shot task: support set (lower-level data) and query set (upper-level data) from one domain.</summary>
public sealed record ReviewTask(string Domain, TokenBatch Support, TokenBatch Query);

/// <summary>How a task's domain is chosen.</summary>
public enum DomainSelection
{
    /// <summary>Probability proportional to the domain's review count: paper 004's code draws a random review and
    /// takes its domain (<c>random.choice(self.examples)['domain']</c>).</summary>
    ProportionalToSize,

    /// <summary>Every domain of the pool equally likely.</summary>
    Uniform,
}

/// <summary>Which domains a task comes from.</summary>
public enum TaskPool
{
    Training,
    Test,
}

/// <summary>Settings of <see cref="ReviewTaskSampler"/>; the defaults are paper 004's hyper-representation experiment.</summary>
public sealed record ReviewTaskSamplerOptions
{
    /// <summary>Support (lower-level) reviews per task; paper 004: 20.</summary>
    public int SupportSize { get; init; } = 20;

    /// <summary>Query (upper-level) reviews per task; paper 004: 20.</summary>
    public int QuerySize { get; init; } = 20;

    /// <summary>Half positive, half negative in both sets (paper 004's meta-learning code: 10 + 10 each); otherwise a
    /// uniform sample of the domain (its hyperparameter-optimization code).</summary>
    public bool BalancedLabels { get; init; } = true;

    public DomainSelection DomainSelection { get; init; } = DomainSelection.ProportionalToSize;

    /// <summary>Held-out test domains; null takes the <see cref="TestDomainCount"/> smallest domains by review count
    /// (paper 004 holds out its three smallest Amazon domains: office products, automotive, computer &amp; video games).</summary>
    public IReadOnlyList<string>? TestDomains { get; init; }

    public int TestDomainCount { get; init; } = 3;

    /// <summary>Truncate sequences to this many tokens (0: no truncation, as paper 004's code).</summary>
    public int MaxLength { get; init; }

    public int PadId { get; init; } = Vocabulary.PadId;
}

/// <summary>
/// Samples paper 004's hyper-representation tasks (BO-REP, §4.1 and Appendix F.1, and its code's <c>MetaTask</c>): a
/// task draws one training domain (<see cref="DomainSelection"/>), then its support and query reviews without
/// replacement from that domain — with <see cref="ReviewTaskSamplerOptions.BalancedLabels"/> S/2 + Q/2 positives and
/// S/2 + Q/2 negatives, positives first in each set, as the code does; a meta-batch is that many independent tasks.
/// Test tasks come only from the held-out domains, training tasks never do. All draws are sequential from one
/// <c>new Random(seed)</c>, so the same reviews, options and seed give the same tasks. Reviews without tokens (e.g. all
/// words dropped as unknown) cannot be embedded and are left out (<see cref="ExcludedEmptyReviews"/>).
/// </summary>
public sealed class ReviewTaskSampler
{
    private readonly Random _random;
    private readonly EncodedReview[] _reviews;
    private readonly Dictionary<string, DomainPool> _pools = new(StringComparer.Ordinal);
    private readonly string[] _training;
    private readonly string[] _test;

    public ReviewTaskSampler(IEnumerable<EncodedReview> reviews, int seed, ReviewTaskSamplerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        Options = options ?? new ReviewTaskSamplerOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.SupportSize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.QuerySize, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.MaxLength, nameof(options));
        if (Options.BalancedLabels && (Options.SupportSize % 2 != 0 || Options.QuerySize % 2 != 0))
        {
            throw new ArgumentException($"balanced tasks need even support and query sizes, got {Options.SupportSize} and {Options.QuerySize}", nameof(options));
        }

        var kept = new List<EncodedReview>();
        foreach (var review in reviews)
        {
            ArgumentNullException.ThrowIfNull(review, nameof(reviews));
            if (review.Label is not (0 or 1))
            {
                throw new ArgumentException($"review {kept.Count + ExcludedEmptyReviews} (domain {review.Domain}) has label {review.Label}, expected 0 or 1", nameof(reviews));
            }

            if (review.Tokens.Length == 0)
            {
                ExcludedEmptyReviews++;
                continue;
            }

            kept.Add(review);
        }

        _reviews = [.. kept];
        for (var i = 0; i < _reviews.Length; i++)
        {
            var domain = _reviews[i].Domain;
            if (!_pools.TryGetValue(domain, out var pool))
            {
                pool = new DomainPool();
                _pools.Add(domain, pool);
            }

            pool.All.Add(i);
            (_reviews[i].Label == 1 ? pool.Positive : pool.Negative).Add(i);
        }

        var domains = _pools.Keys.Order(StringComparer.Ordinal).ToArray();
        if (Options.TestDomains is { } chosen)
        {
            foreach (var domain in chosen)
            {
                if (!_pools.ContainsKey(domain))
                {
                    throw new ArgumentException($"test domain '{domain}' has no reviews (domains: {string.Join(", ", domains)})", nameof(options));
                }
            }

            _test = [.. chosen.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }
        else
        {
            _test = [.. SmallestDomains(_reviews, Options.TestDomainCount)];
        }

        _training = [.. domains.Where(d => Array.IndexOf(_test, d) < 0)];
        if (_training.Length == 0 || _test.Length == 0)
        {
            throw new ArgumentException($"need at least one training and one test domain, got {_training.Length} and {_test.Length}", nameof(reviews));
        }

        var needed = Options.SupportSize + Options.QuerySize;
        foreach (var domain in domains)
        {
            var pool = _pools[domain];
            if (Options.BalancedLabels && Math.Min(pool.Positive.Count, pool.Negative.Count) < needed / 2)
            {
                throw new ArgumentException(
                    $"domain '{domain}' has {pool.Positive.Count} positive and {pool.Negative.Count} negative reviews; a balanced task needs {needed / 2} of each",
                    nameof(reviews));
            }

            if (pool.All.Count < needed)
            {
                throw new ArgumentException($"domain '{domain}' has {pool.All.Count} reviews; a task needs {needed}", nameof(reviews));
            }
        }

        _random = new Random(seed);
    }

    public ReviewTaskSamplerOptions Options { get; }

    /// <summary>Domains training tasks come from (ordinal order).</summary>
    public IReadOnlyList<string> TrainingDomains => _training;

    /// <summary>Held-out domains test tasks come from (ordinal order).</summary>
    public IReadOnlyList<string> TestDomains => _test;

    /// <summary>Reviews left out because they have no tokens.</summary>
    public int ExcludedEmptyReviews { get; }

    /// <summary>Usable reviews of <paramref name="domain"/> (0 if unknown).</summary>
    public int DomainSize(string domain) => _pools.TryGetValue(domain, out var pool) ? pool.All.Count : 0;

    /// <summary>The next task from <paramref name="pool"/>.</summary>
    public ReviewTask Next(TaskPool pool = TaskPool.Training)
    {
        var domains = pool == TaskPool.Training ? _training : _test;
        var domain = ChooseDomain(domains);
        var source = _pools[domain];
        var support = new List<EncodedReview>(Options.SupportSize);
        var query = new List<EncodedReview>(Options.QuerySize);
        if (Options.BalancedLabels)
        {
            foreach (var indices in new[] { source.Positive, source.Negative })
            {
                var half = (Options.SupportSize + Options.QuerySize) / 2;
                PartialShuffle(indices, half);
                for (var t = 0; t < half; t++)
                {
                    (t < Options.SupportSize / 2 ? support : query).Add(_reviews[indices[t]]);
                }
            }
        }
        else
        {
            var total = Options.SupportSize + Options.QuerySize;
            PartialShuffle(source.All, total);
            for (var t = 0; t < total; t++)
            {
                (t < Options.SupportSize ? support : query).Add(_reviews[source.All[t]]);
            }
        }

        return new ReviewTask(domain, Batch(support), Batch(query));
    }

    /// <summary>A meta-batch of <paramref name="tasks"/> independent tasks (paper 004: 20 per upper-level update).</summary>
    public ReviewTask[] NextMetaBatch(int tasks = 20, TaskPool pool = TaskPool.Training)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tasks);
        var batch = new ReviewTask[tasks];
        for (var i = 0; i < tasks; i++)
        {
            batch[i] = Next(pool);
        }

        return batch;
    }

    /// <summary>The <paramref name="count"/> domains with the fewest reviews (ties broken by ordinal name), ordinal order.</summary>
    public static IReadOnlyList<string> SmallestDomains(IEnumerable<EncodedReview> reviews, int count)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var review in reviews)
        {
            sizes[review.Domain] = sizes.GetValueOrDefault(review.Domain) + 1;
        }

        return [.. sizes
            .OrderBy(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(count)
            .Select(p => p.Key)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Labelled FDU-MTL reviews (train and test files; Amazon domains only unless <paramref name="amazonOnly"/> is false)
    /// tokenized and encoded: the pool paper 004 samples tasks from, all of each domain's labelled reviews as in its
    /// code. See <see cref="Vocabulary.Encode"/> for <paramref name="addBoundaries"/> and <paramref name="dropUnknown"/>.
    /// </summary>
    public static List<EncodedReview> Encode(
        FduMtlDataset data,
        Tokenizer tokenizer,
        Vocabulary vocabulary,
        bool addBoundaries = false,
        bool dropUnknown = false,
        bool amazonOnly = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var encoded = new List<EncodedReview>();
        var tokens = new List<string>();
        foreach (var review in data.Reviews)
        {
            if (review.Label is not { } label || (amazonOnly && !FduMtlDataset.IsAmazonDomain(review.Domain)))
            {
                continue;
            }

            tokens.Clear();
            tokenizer.Tokenize(review.Text, tokens);
            encoded.Add(new EncodedReview(review.Domain, label, vocabulary.Encode(tokens, addBoundaries, dropUnknown)));
        }

        return encoded;
    }

    private string ChooseDomain(string[] domains)
    {
        if (Options.DomainSelection == DomainSelection.Uniform)
        {
            return domains[_random.Next(domains.Length)];
        }

        var total = 0;
        foreach (var domain in domains)
        {
            total += _pools[domain].All.Count;
        }

        var pick = _random.Next(total);
        foreach (var domain in domains)
        {
            pick -= _pools[domain].All.Count;
            if (pick < 0)
            {
                return domain;
            }
        }

        return domains[^1];
    }

    /// <summary>Moves a uniform random ordered sample of <paramref name="count"/> elements to the front (partial Fisher–Yates).</summary>
    private void PartialShuffle(List<int> items, int count)
    {
        for (var t = 0; t < count; t++)
        {
            var j = _random.Next(t, items.Count);
            (items[t], items[j]) = (items[j], items[t]);
        }
    }

    private TokenBatch Batch(List<EncodedReview> reviews) => new(reviews, Options.PadId, Options.MaxLength);

    private sealed class DomainPool
    {
        public List<int> All { get; } = [];

        public List<int> Positive { get; } = [];

        public List<int> Negative { get; } = [];
    }
}
