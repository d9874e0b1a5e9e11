using System.Globalization;

namespace Bilevel.Data.Text;

/// <summary>Sentiment140's polarity column: 0 negative, 2 neutral, 4 positive.</summary>
public enum SentimentPolarity
{
    Negative = 0,
    Neutral = 2,
    Positive = 4,
}

/// <summary>One Sentiment140 row: <c>polarity,id,date,query,user,text</c>.</summary>
public sealed record Sentiment140Tweet(SentimentPolarity Polarity, long Id, string Date, string Query, string User, string Text)
{
    /// <summary>The binary label paper 004's data-cleaning code uses ("0" → 0, "4" → 1); null for neutral tweets, which
    /// occur only in the manual test set.</summary>
    public int? BinaryLabel => Polarity switch
    {
        SentimentPolarity.Negative => 0,
        SentimentPolarity.Positive => 1,
        _ => null,
    };
}

/// <summary>
/// Reads Sentiment140 CSV files (Go, Bhayani &amp; Huang 2009; paper 004's data hyper-cleaning data): six columns
/// <c>polarity,id,date,query,user,text</c>, no header. Fields follow RFC 4180: a field may be quoted, a quoted field
/// may hold commas, line breaks and doubled quotes (<c>""</c> → <c>"</c>); a quote inside an unquoted field is kept
/// literally (as Python's csv module does); after a closing quote only a comma or the end of the line may follow.
/// Lines end with LF, CRLF or CR; blank lines are skipped; a UTF-8 byte-order mark is skipped. Each record is decoded
/// as UTF-8, or as Latin-1 when it is not valid UTF-8 (the original 1.6M-tweet file is Latin-1). The file is read in
/// a streaming pass (memory proportional to the longest record plus the result).
/// </summary>
public static class Sentiment140Reader
{
    /// <summary>Number of columns of a Sentiment140 row.</summary>
    public const int ColumnCount = 6;

    /// <summary>Reads all rows of a Sentiment140 CSV file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Empty file, unterminated quote, wrong column count, bad polarity or id;
    /// the message names the file and the line where the record starts.</exception>
    public static IReadOnlyList<Sentiment140Tweet> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads all rows from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    public static IReadOnlyList<Sentiment140Tweet> Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var tweets = new List<Sentiment140Tweet>();
        var parser = new CsvParser(stream, name);
        var fields = new string[ColumnCount];
        while (parser.Next(out var line))
        {
            var count = parser.FieldCount;
            if (count != ColumnCount)
            {
                throw new InvalidDataException($"{name}: line {line}: expected {ColumnCount} fields (polarity,id,date,query,user,text), found {count}");
            }

            parser.Decode(fields);
            var polarity = fields[0] switch
            {
                "0" => SentimentPolarity.Negative,
                "2" => SentimentPolarity.Neutral,
                "4" => SentimentPolarity.Positive,
                _ => throw new InvalidDataException($"{name}: line {line}: polarity '{TextDecoding.Excerpt(fields[0])}' is not 0, 2 or 4"),
            };
            if (!long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                throw new InvalidDataException($"{name}: line {line}: id '{TextDecoding.Excerpt(fields[1])}' is not a non-negative integer");
            }

            tweets.Add(new Sentiment140Tweet(polarity, id, fields[2], fields[3], fields[4], fields[5]));
        }

        if (tweets.Count == 0)
        {
            throw new InvalidDataException(parser.BytesRead == 0 ? $"{name}: file is empty" : $"{name}: no rows (only blank lines)");
        }

        return tweets;
    }

    /// <summary>Streaming byte-level RFC 4180 record parser.</summary>
    private sealed class CsvParser(Stream stream, string name)
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private readonly List<int> _fieldEnds = [];
        private byte[] _record = new byte[256];
        private int _recordLength;
        private int _position;
        private int _filled;
        private int _line = 1;
        private bool _eof;
        private bool _started;

        public long BytesRead { get; private set; }

        public int FieldCount => _fieldEnds.Count;

        /// <summary>Parses the next non-blank record; false at the end of the data.</summary>
        public bool Next(out int startLine)
        {
            while (true)
            {
                _recordLength = 0;
                _fieldEnds.Clear();
                startLine = _line;
                var state = State.FieldStart;
                var quoteLine = 0;
                var content = false;
                while (true)
                {
                    var b = NextByte();
                    if (b < 0)
                    {
                        if (state == State.Quoted)
                        {
                            throw new InvalidDataException($"{name}: line {startLine}: unterminated quoted field {_fieldEnds.Count + 1} (quote opened on line {quoteLine})");
                        }

                        if (!content)
                        {
                            return false;
                        }

                        _fieldEnds.Add(_recordLength);
                        return true;
                    }

                    if (state == State.Quoted)
                    {
                        if (b == '"')
                        {
                            state = State.QuoteInQuoted;
                        }
                        else
                        {
                            if (b == '\n' || (b == '\r' && PeekByte() != '\n'))
                            {
                                _line++;
                            }

                            Append((byte)b);
                        }

                        continue;
                    }

                    if (b == '\r' || b == '\n')
                    {
                        if (b == '\r' && PeekByte() == '\n')
                        {
                            NextByte();
                        }

                        _line++;
                        if (!content)
                        {
                            break; // blank line: start over
                        }

                        _fieldEnds.Add(_recordLength);
                        return true;
                    }

                    content = true;
                    if (b == ',')
                    {
                        _fieldEnds.Add(_recordLength);
                        state = State.FieldStart;
                        continue;
                    }

                    switch (state)
                    {
                        case State.FieldStart when b == '"':
                            state = State.Quoted;
                            quoteLine = _line;
                            break;
                        case State.FieldStart:
                        case State.Unquoted:
                            state = State.Unquoted;
                            Append((byte)b);
                            break;
                        case State.QuoteInQuoted when b == '"':
                            state = State.Quoted;
                            Append((byte)'"');
                            break;
                        default:
                            throw new InvalidDataException(
                                $"{name}: line {_line}: unexpected character '{(char)b}' after the closing quote of field {_fieldEnds.Count + 1}");
                    }
                }
            }
        }

        /// <summary>Decodes the fields of the current record (UTF-8, or Latin-1 for the whole record if any field is not UTF-8).</summary>
        public void Decode(string[] fields)
        {
            var record = _record.AsSpan(0, _recordLength);
            var latin1 = !System.Text.Unicode.Utf8.IsValid(record);
            var start = 0;
            for (var i = 0; i < _fieldEnds.Count; i++)
            {
                var bytes = record[start.._fieldEnds[i]];
                fields[i] = latin1 ? System.Text.Encoding.Latin1.GetString(bytes) : System.Text.Encoding.UTF8.GetString(bytes);
                start = _fieldEnds[i];
            }
        }

        private void Append(byte b)
        {
            if (_recordLength == _record.Length)
            {
                Array.Resize(ref _record, _record.Length * 2);
            }

            _record[_recordLength++] = b;
        }

        private int NextByte()
        {
            if (_position == _filled && !Fill())
            {
                return -1;
            }

            return _buffer[_position++];
        }

        private int PeekByte()
        {
            if (_position == _filled && !Fill())
            {
                return -1;
            }

            return _buffer[_position];
        }

        private bool Fill()
        {
            if (_eof)
            {
                return false;
            }

            _filled = stream.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (!_started && _filled > 0)
            {
                _started = true;
                var bom = TextDecoding.BomLength(_buffer.AsSpan(0, _filled));
                _position = bom;
                BytesRead += bom;
                if (bom == _filled)
                {
                    return Fill();
                }
            }

            if (_filled == 0)
            {
                _eof = true;
                return false;
            }

            BytesRead += _filled - _position;
            return true;
        }

        private enum State
        {
            FieldStart,
            Unquoted,
            Quoted,
            QuoteInQuoted,
        }
    }
}
