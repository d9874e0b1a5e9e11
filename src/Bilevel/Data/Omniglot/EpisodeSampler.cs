using Bilevel.Data.Images;

namespace Bilevel.Data.Omniglot;

/// <summary>One class of a few-shot task: a character, rotated counter-clockwise by QuarterTurns·90°.</summary>
public sealed record EpisodeClass(OmniglotCharacter Character, int QuarterTurns)
{
    public override string ToString() => $"{Character} rot{QuarterTurns * 90}";
}

/// <summary>
/// An N-way K-shot task with Q query images per class, as flat arrays ready for tensors. Support image
/// (class n, shot k) is row n·K + k of <see cref="SupportImages"/> (784 floats per row, 28×28 row-major, ink = 1) and
/// has label n; the query set is laid out the same way with Q per class. Label n is <see cref="Classes"/>[n].
/// </summary>
public sealed class Episode
{
    internal Episode(int ways, int shots, int queries, EpisodeClass[] classes, float[] supportImages, int[] supportLabels, int[] supportDrawings, float[] queryImages, int[] queryLabels, int[] queryDrawings)
    {
        Ways = ways;
        Shots = shots;
        Queries = queries;
        Classes = classes;
        SupportImages = supportImages;
        SupportLabels = supportLabels;
        SupportDrawings = supportDrawings;
        QueryImages = queryImages;
        QueryLabels = queryLabels;
        QueryDrawings = queryDrawings;
    }

    /// <summary>N, the number of classes.</summary>
    public int Ways { get; }

    /// <summary>K, support images per class.</summary>
    public int Shots { get; }

    /// <summary>Q, query images per class.</summary>
    public int Queries { get; }

    /// <summary>The task's classes; label n is Classes[n].</summary>
    public IReadOnlyList<EpisodeClass> Classes { get; }

    /// <summary>N·K images × 784, class-major.</summary>
    public float[] SupportImages { get; }

    /// <summary>N·K labels in 0..N−1: label of row i is i / K.</summary>
    public int[] SupportLabels { get; }

    /// <summary>For each support row, the index (0..19, drawer order) of the drawing within its character.</summary>
    public int[] SupportDrawings { get; }

    /// <summary>N·Q images × 784, class-major.</summary>
    public float[] QueryImages { get; }

    /// <summary>N·Q labels in 0..N−1: label of row i is i / Q.</summary>
    public int[] QueryLabels { get; }

    /// <summary>For each query row, the drawing index within its character; disjoint from the support drawings of the class.</summary>
    public int[] QueryDrawings { get; }
}

/// <summary>
/// Seeded sampler of N-way K-shot Omniglot tasks with Q queries per class (paper 001 §4.2: N ∈ {5, 20}, K ∈ {1, 5},
/// 15 queries per class, rotations by multiples of 90° as augmentation). Each task draws N distinct classes uniformly
/// without replacement from the classes of the chosen alphabets, then for each class K + Q distinct drawings uniformly
/// without replacement: the first K are support, the next Q query, so support and query never share a drawing. With
/// <c>rotations</c> each character × {0°, 90°, 180°, 270°} is its own class (4× the classes), rotated exactly
/// (<see cref="ImageTransforms.Rotate90(ReadOnlySpan{float}, int, int)"/>); a task may then hold two rotations of the
/// same character, as in the standard protocol, but never the same class twice.
/// </summary>
/// <remarks>
/// Draws are sequential from one <see cref="Random"/>(seed): the same seed, data and call sequence give identical
/// episodes. Class order in the task (hence label assignment) is the random draw order. An instance is not
/// thread-safe; use one sampler per thread (with different seeds).
/// </remarks>
public sealed class EpisodeSampler
{
    private readonly EpisodeClass[] _classes;
    private readonly int[] _classOrder;
    private readonly int[] _drawingOrder;
    private readonly Random _random;

    /// <summary>Samples from the alphabets of one part of <see cref="OmniglotSplit"/>.</summary>
    public EpisodeSampler(OmniglotDataset dataset, OmniglotSplitPart part, bool rotations, int seed)
        : this(dataset, OmniglotSplit.Alphabets(part), rotations, seed)
    {
    }

    /// <summary>Samples from the named alphabets of <paramref name="dataset"/>.</summary>
    public EpisodeSampler(OmniglotDataset dataset, IEnumerable<string> alphabets, bool rotations, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(alphabets);
        var classes = new List<EpisodeClass>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in alphabets)
        {
            if (!seen.Add(name))
            {
                throw new ArgumentException($"alphabet \"{name}\" is listed twice", nameof(alphabets));
            }

            if (!dataset.Contains(name))
            {
                throw new ArgumentException(
                    $"alphabet \"{name}\" is not in the data set (it has {string.Join(", ", dataset.Alphabets.Select(a => a.Name))})",
                    nameof(alphabets));
            }

            foreach (var character in dataset[name].Characters)
            {
                for (var turns = 0; turns < (rotations ? 4 : 1); turns++)
                {
                    classes.Add(new EpisodeClass(character, turns));
                }
            }
        }

        if (classes.Count == 0)
        {
            throw new ArgumentException("no alphabets given", nameof(alphabets));
        }

        _classes = [.. classes];
        _classOrder = new int[_classes.Length];
        for (var i = 0; i < _classOrder.Length; i++)
        {
            _classOrder[i] = i;
        }

        var drawings = int.MaxValue;
        foreach (var c in _classes)
        {
            drawings = Math.Min(drawings, c.Character.Count);
        }

        _drawingOrder = new int[drawings];
        for (var i = 0; i < drawings; i++)
        {
            _drawingOrder[i] = i;
        }

        Rotations = rotations;
        Seed = seed;
        _random = new Random(seed);
    }

    /// <summary>All classes this sampler draws from: alphabets in the given order, characters in order, rotations inner.</summary>
    public IReadOnlyList<EpisodeClass> Classes => _classes;

    public bool Rotations { get; }

    public int Seed { get; }

    /// <summary>Draws the next task.</summary>
    public Episode Sample(int ways, int shots, int queries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ways);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shots);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queries);
        if (ways > _classes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(ways), ways, $"{ways}-way tasks need {ways} classes, this sampler has {_classes.Length}");
        }

        if (shots + queries > _drawingOrder.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(queries), queries, $"{shots} shots + {queries} queries exceed the {_drawingOrder.Length} drawings per character");
        }

        const int P = OmniglotDataset.PixelCount;
        var size = OmniglotDataset.ImageSize;
        var chosen = new EpisodeClass[ways];
        var supportImages = new float[ways * shots * P];
        var supportLabels = new int[ways * shots];
        var supportDrawings = new int[ways * shots];
        var queryImages = new float[ways * queries * P];
        var queryLabels = new int[ways * queries];
        var queryDrawings = new int[ways * queries];

        // Partial Fisher–Yates on the (persistent) class order: the first `ways` entries are a uniform draw without replacement.
        for (var n = 0; n < ways; n++)
        {
            var j = _random.Next(n, _classOrder.Length);
            (_classOrder[n], _classOrder[j]) = (_classOrder[j], _classOrder[n]);
            chosen[n] = _classes[_classOrder[n]];
        }

        for (var n = 0; n < ways; n++)
        {
            for (var i = 0; i < shots + queries; i++)
            {
                var j = _random.Next(i, _drawingOrder.Length);
                (_drawingOrder[i], _drawingOrder[j]) = (_drawingOrder[j], _drawingOrder[i]);
            }

            var c = chosen[n];
            for (var k = 0; k < shots; k++)
            {
                var row = (n * shots) + k;
                supportLabels[row] = n;
                supportDrawings[row] = _drawingOrder[k];
                ImageTransforms.Rotate90(c.Character.Image(_drawingOrder[k]), size, c.QuarterTurns, supportImages.AsSpan(row * P, P));
            }

            for (var q = 0; q < queries; q++)
            {
                var row = (n * queries) + q;
                queryLabels[row] = n;
                queryDrawings[row] = _drawingOrder[shots + q];
                ImageTransforms.Rotate90(c.Character.Image(_drawingOrder[shots + q]), size, c.QuarterTurns, queryImages.AsSpan(row * P, P));
            }
        }

        return new Episode(ways, shots, queries, chosen, supportImages, supportLabels, supportDrawings, queryImages, queryLabels, queryDrawings);
    }
}
