using System.Globalization;

namespace Bilevel.Data.Text;

/// <summary>Word vectors read from a GloVe text file: <see cref="Count"/> words × <see cref="Dimension"/> values,
/// row-major in <see cref="Values"/> (float64).</summary>
public sealed class GloveVectors
{
    private readonly string[] _words;
    private readonly Dictionary<string, int> _rows;

    internal GloveVectors(string[] words, Dictionary<string, int> rows, double[] values, int dimension, int duplicates)
    {
        _words = words;
        _rows = rows;
        Values = values;
        Dimension = dimension;
        DuplicateWords = duplicates;
    }

    public int Count => _words.Length;

    public int Dimension { get; }

    /// <summary>Words in file order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Count × Dimension values, row-major.</summary>
    public double[] Values { get; }

    /// <summary>Lines whose word already occurred earlier (the first vector is kept).</summary>
    public int DuplicateWords { get; }

    public bool Contains(string word) => _rows.ContainsKey(word);

    /// <summary>Row of <paramref name="word"/> (exact, case-sensitive match), or −1.</summary>
    public int IndexOf(string word) => _rows.TryGetValue(word, out var row) ? row : -1;

    /// <summary>The vector of <paramref name="word"/>, or an empty span when the word is absent.</summary>
    public ReadOnlySpan<double> Vector(string word) =>
        _rows.TryGetValue(word, out var row) ? Values.AsSpan(row * Dimension, Dimension) : [];

    /// <summary>The vector at <paramref name="row"/>.</summary>
    public ReadOnlySpan<double> Vector(int row) => Values.AsSpan(checked(row * Dimension), Dimension);
}

/// <summary>
/// Reads GloVe's text format (Pennington, Socher &amp; Manning 2014): one word per line followed by D numbers, separated
/// by single spaces, no header. D is taken from the first line (or given) and every line must have exactly D numbers;
/// numbers are parsed with the invariant culture and must be finite. The word is everything before the last D fields,
/// so the few glove.840B entries that contain spaces (". . .") read correctly, while a line with D + 1 numbers is
/// rejected rather than read as a word "w 0.1". Lines may end with CRLF; a UTF-8 byte-order mark is skipped; lines are
/// UTF-8 (Latin-1 if invalid). A repeated word keeps its first vector (counted in
/// <see cref="GloveVectors.DuplicateWords"/>).
/// </summary>
public static class GloveReader
{
    /// <summary>Reads a GloVe text file, keeping only words for which <paramref name="keep"/> is true (all if null).</summary>
    /// <param name="path">The file.</param>
    /// <param name="keep">Optional filter, e.g. "in my vocabulary" to read glove.840B.300d without holding all 2.2M rows.</param>
    /// <param name="dimension">Expected D; null takes it from the first line.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Empty file, blank line, wrong number of values, a value that is not a finite
    /// number; the message names the file and the line.</exception>
    /// <remarks>Trailing spaces at the end of a line are ignored.</remarks>
    public static GloveVectors Read(string path, Func<string, bool>? keep = null, int? dimension = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        if (dimension is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be positive");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length == 0)
        {
            throw new InvalidDataException($"{path}: file is empty");
        }

        var words = new List<string>();
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        var values = new List<double>();
        var d = dimension ?? 0;
        var duplicates = 0;
        var lineNumber = 0;
        var row = new double[Math.Max(d, 1)];
        foreach (var (bytes, number) in Lines(stream))
        {
            lineNumber = number;
            var line = TextDecoding.Decode(bytes, out _).TrimEnd(' ');
            if (line.Length == 0)
            {
                throw new InvalidDataException($"{path}: line {number} is empty");
            }

            if (d == 0)
            {
                d = line.AsSpan().Count(' ');
                if (d == 0)
                {
                    throw new InvalidDataException($"{path}: line 1 has a word but no values");
                }

                row = new double[d];
            }

            var word = ParseLine(line, d, row, path, number);
            if (rows.ContainsKey(word))
            {
                duplicates++;
                continue;
            }

            if (keep is not null && !keep(word))
            {
                continue;
            }

            rows.Add(word, words.Count);
            words.Add(word);
            values.AddRange(row);
        }

        if (lineNumber == 0)
        {
            throw new InvalidDataException($"{path}: file holds no lines");
        }

        return new GloveVectors([.. words], rows, [.. values], d, duplicates);
    }

    private static string ParseLine(string line, int d, double[] row, string path, int number)
    {
        var span = line.AsSpan();
        var end = span.Length;
        for (var k = d - 1; k >= 0; k--)
        {
            var space = span[..end].LastIndexOf(' ');
            if (space < 0)
            {
                throw new InvalidDataException($"{path}: line {number}: found {d - 1 - k} values after the word, expected {d}");
            }

            var field = span[(space + 1)..end];
            if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new InvalidDataException($"{path}: line {number}: value {k + 1} '{TextDecoding.Excerpt(field)}' is not a finite number");
            }

            row[k] = value;
            end = space;
        }

        var word = span[..end];
        if (word.IsEmpty)
        {
            throw new InvalidDataException($"{path}: line {number}: found {d - 1} values after the word, expected {d} (or the word is empty)");
        }

        var lastSpace = word.LastIndexOf(' ');
        if (lastSpace >= 0 && double.TryParse(word[(lastSpace + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            var extra = 0;
            foreach (var piece in word.Split(' '))
            {
                if (double.TryParse(word[piece], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    extra++;
                }
            }

            throw new InvalidDataException($"{path}: line {number}: found {d + extra} values after the word, expected {d}");
        }

        return word.ToString();
    }

    /// <summary>Lines as byte spans (LF or CRLF; a final line without newline included; BOM skipped) with 1-based numbers.</summary>
    private static IEnumerable<(byte[] Bytes, int Number)> Lines(Stream stream)
    {
        var buffer = new byte[1 << 16];
        var filled = 0;
        var start = 0;
        var number = 0;
        var first = true;
        while (true)
        {
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                start = 0;
            }

            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (first && read > 0)
            {
                first = false;
                var bom = TextDecoding.BomLength(buffer.AsSpan(0, read));
                start = bom;
            }

            filled += read;
            var scanFrom = start;
            while (true)
            {
                var newline = buffer.AsSpan(scanFrom, filled - scanFrom).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    break;
                }

                var end = scanFrom + newline;
                var lineEnd = end > start && buffer[end - 1] == (byte)'\r' ? end - 1 : end;
                number++;
                yield return (buffer[start..lineEnd], number);
                start = end + 1;
                scanFrom = start;
            }

            if (read == 0)
            {
                if (start < filled)
                {
                    var lineEnd = buffer[filled - 1] == (byte)'\r' ? filled - 1 : filled;
                    number++;
                    yield return (buffer[start..lineEnd], number);
                }

                yield break;
            }
        }
    }
}
