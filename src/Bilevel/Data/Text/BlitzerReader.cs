using System.Globalization;

namespace Bilevel.Data.Text;

/// <summary>One review of Blitzer et al.'s multi-domain sentiment data: domain, review text, label (1 for
/// <c>positive.review</c>, 0 for <c>negative.review</c>), star rating (1–5) and title.</summary>
public sealed record BlitzerReview(string Domain, string Text, int Label, double Rating, string Title);

/// <summary>The reviews of a Blitzer archive, file order (domains ordinal, negative before positive, review order).</summary>
public sealed class BlitzerDataset
{
    internal BlitzerDataset(List<BlitzerReview> reviews, int latin1Reviews)
    {
        Reviews = reviews;
        Latin1Reviews = latin1Reviews;
        var domains = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var review in reviews)
        {
            domains.Add(review.Domain);
        }

        Domains = [.. domains];
    }

    public IReadOnlyList<BlitzerReview> Reviews { get; }

    /// <summary>Domains, ordinal order (books, dvd, electronics, kitchen in the bundled file).</summary>
    public IReadOnlyList<string> Domains { get; }

    /// <summary>Reviews whose bytes were not valid UTF-8 and were decoded as Latin-1.</summary>
    public int Latin1Reviews { get; }

    /// <summary>Number of reviews of <paramref name="domain"/> with <paramref name="label"/>.</summary>
    public int Count(string domain, int label)
    {
        var n = 0;
        foreach (var review in Reviews)
        {
            if (review.Label == label && review.Domain == domain)
            {
                n++;
            }
        }

        return n;
    }
}

/// <summary>
/// Reads Blitzer, Dredze &amp; Pereira's multi-domain sentiment data ("Biographies, Bollywood, Boom-boxes and
/// Blenders", ACL 2007), original <c>sorted_data_acl</c> layout: <c>[sorted_data_acl/]&lt;domain&gt;/positive.review</c>
/// and <c>negative.review</c> (other files such as <c>unlabeled.review</c> are ignored), from a <c>.tar.gz</c> or an
/// extracted folder. The files are pseudo-XML, not XML: <c>&lt;review&gt; … &lt;rating&gt;5.0&lt;/rating&gt; …
/// &lt;title&gt; … &lt;review_text&gt; … &lt;/review_text&gt; … &lt;/review&gt;</c> with unescaped text, so each
/// review is cut out by its <c>&lt;review&gt;</c>/<c>&lt;/review&gt;</c> markers at the byte level, then decoded as
/// strict UTF-8, or as Latin-1 when that fails (per review; nothing is replaced). Text and title are trimmed of
/// surrounding whitespace and otherwise kept as in the file (the bundled files already contain U+FFFD characters
/// and SUB control characters from the original crawl).
/// </summary>
public static class BlitzerReader
{
    private static readonly byte[] Open = "<review>"u8.ToArray();
    private static readonly byte[] Close = "</review>"u8.ToArray();

    /// <summary>Reads all <c>positive.review</c>/<c>negative.review</c> files.</summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">Corrupt archive, unterminated review, missing field, bad rating, or no files.</exception>
    public static BlitzerDataset Read(string path)
    {
        var files = new List<(string Domain, int Label, string Name, byte[] Data)>();
        foreach (var file in TextArchive.Enumerate(path, name => TryParseName(name, out _, out _)))
        {
            if (!TryParseName(file.Path, out var domain, out var label))
            {
                continue;
            }

            files.Add((domain, label, file.Path, file.Data));
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException($"{path}: no <domain>/positive.review or <domain>/negative.review files found");
        }

        files.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Domain, b.Domain);
            return c != 0 ? c : a.Label.CompareTo(b.Label);
        });
        for (var i = 1; i < files.Count; i++)
        {
            if (files[i].Domain == files[i - 1].Domain && files[i].Label == files[i - 1].Label)
            {
                throw new InvalidDataException($"{path}: '{files[i].Name}' repeats '{files[i - 1].Name}'");
            }
        }

        var reviews = new List<BlitzerReview>();
        var latin1 = 0;
        foreach (var (domain, label, name, data) in files)
        {
            latin1 += ParseFile(data, $"{path}:{name}", domain, label, reviews);
        }

        return new BlitzerDataset(reviews, latin1);
    }

    internal static bool TryParseName(string path, out string domain, out int label)
    {
        domain = string.Empty;
        label = -1;
        var slash = path.LastIndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        label = path[(slash + 1)..] switch
        {
            "positive.review" => 1,
            "negative.review" => 0,
            _ => -1,
        };
        if (label < 0)
        {
            return false;
        }

        var parent = path[..slash];
        domain = parent[(parent.LastIndexOf('/') + 1)..];
        return domain.Length > 0;
    }

    private static int ParseFile(byte[] data, string source, string domain, int label, List<BlitzerReview> reviews)
    {
        if (data.Length == 0)
        {
            throw new InvalidDataException($"{source}: file is empty");
        }

        var latin1 = 0;
        var position = 0;
        var index = 0;
        var span = data.AsSpan();
        while (true)
        {
            var start = span[position..].IndexOf(Open);
            if (start < 0)
            {
                break;
            }

            start += position;
            index++;
            var bodyStart = start + Open.Length;
            var end = span[bodyStart..].IndexOf(Close);
            var nextOpen = span[bodyStart..].IndexOf(Open);
            if (end < 0 || (nextOpen >= 0 && nextOpen < end))
            {
                throw new InvalidDataException($"{source}: review {index} (byte {start}) has no closing </review>");
            }

            var body = TextDecoding.Decode(span.Slice(bodyStart, end), out var usedLatin1);
            if (usedLatin1)
            {
                latin1++;
            }

            var ratingText = Field(body, "rating", source, index, start, required: true)!;
            if (!double.TryParse(ratingText, NumberStyles.Float, CultureInfo.InvariantCulture, out var rating) || !(rating >= 1 && rating <= 5))
            {
                throw new InvalidDataException($"{source}: review {index} (byte {start}): rating '{TextDecoding.Excerpt(ratingText)}' is not a number in [1, 5]");
            }

            var text = Field(body, "review_text", source, index, start, required: true)!;
            var title = Field(body, "title", source, index, start, required: false) ?? string.Empty;
            reviews.Add(new BlitzerReview(domain, text, label, rating, title));
            position = bodyStart + end + Close.Length;
        }

        if (index == 0)
        {
            throw new InvalidDataException($"{source}: no <review> found");
        }

        return latin1;
    }

    private static string? Field(string body, string tag, string source, int index, int offset, bool required)
    {
        var open = $"<{tag}>";
        var close = $"</{tag}>";
        var at = body.IndexOf(open, StringComparison.Ordinal);
        if (at < 0)
        {
            return required ? throw new InvalidDataException($"{source}: review {index} (byte {offset}) has no <{tag}>") : null;
        }

        at += open.Length;
        var end = body.IndexOf(close, at, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidDataException($"{source}: review {index} (byte {offset}) has <{tag}> without </{tag}>");
        }

        return body[at..end].Trim();
    }
}
