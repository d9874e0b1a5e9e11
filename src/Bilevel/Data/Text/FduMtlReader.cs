namespace Bilevel.Data.Text;

/// <summary>The three FDU-MTL files of a domain.</summary>
public enum FduMtlSplit
{
    /// <summary><c>&lt;domain&gt;.task.train</c>: labelled.</summary>
    Train,

    /// <summary><c>&lt;domain&gt;.task.test</c>: labelled.</summary>
    Test,

    /// <summary><c>&lt;domain&gt;.task.unlabel</c>: text only.</summary>
    Unlabeled,
}

/// <summary>One FDU-MTL review: its domain, file, lower-cased tokenized text, and label (0 negative, 1 positive; null in
/// <see cref="FduMtlSplit.Unlabeled"/>).</summary>
public sealed record FduMtlReview(string Domain, FduMtlSplit Split, string Text, int? Label);

/// <summary>
/// The FDU-MTL multi-domain sentiment corpus (Liu, Qiu &amp; Huang, "Adversarial Multi-task Learning for Text
/// Classification", ACL 2017): 14 Amazon product domains taken from Blitzer et al.'s multi-domain sentiment data plus
/// IMDB and MR. Paper 004 (BO-REP) samples its hyper-representation tasks from Amazon reviews by domain; this is the
/// bundled stand-in (data/amazon-reviews/fdu-mtl.tar.gz). Reviews are in file order: domains sorted ordinally, then
/// train, test, unlabel, then line order.
/// </summary>
public sealed class FduMtlDataset
{
    private static readonly HashSet<string> NonAmazon = new(StringComparer.OrdinalIgnoreCase) { "imdb", "MR" };

    private readonly Dictionary<(string, FduMtlSplit), int> _counts;

    internal FduMtlDataset(List<FduMtlReview> reviews, int latin1Lines)
    {
        Reviews = reviews;
        Latin1Lines = latin1Lines;
        _counts = [];
        var domains = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var review in reviews)
        {
            domains.Add(review.Domain);
            var key = (review.Domain, review.Split);
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }

        Domains = [.. domains];
        AmazonDomains = [.. domains.Where(d => !NonAmazon.Contains(d))];
    }

    public IReadOnlyList<FduMtlReview> Reviews { get; }

    /// <summary>All domains, ordinal order (16 in the bundled file).</summary>
    public IReadOnlyList<string> Domains { get; }

    /// <summary>The Amazon product domains: every domain except <c>imdb</c> and <c>MR</c> (14 in the bundled file).</summary>
    public IReadOnlyList<string> AmazonDomains { get; }

    /// <summary>Lines that were not valid UTF-8 and were decoded as Latin-1 (see <see cref="FduMtlReader"/>).</summary>
    public int Latin1Lines { get; }

    /// <summary>Number of reviews of <paramref name="domain"/> in <paramref name="split"/> (0 if none).</summary>
    public int Count(string domain, FduMtlSplit split) => _counts.GetValueOrDefault((domain, split));

    /// <summary>Whether <paramref name="domain"/> is an Amazon product domain (not IMDB or MR).</summary>
    public static bool IsAmazonDomain(string domain) => !NonAmazon.Contains(domain);
}

/// <summary>
/// Reads FDU-MTL from <c>fdu-mtl.tar.gz</c> (<see cref="System.Formats.Tar.TarReader"/> over a gzip stream) or from
/// an extracted folder. Files are <c>&lt;domain&gt;.task.{train,test,unlabel}</c> at any depth (other files are
/// ignored); train/test lines are <c>label\ttext</c> with label 0 (negative) or 1 (positive), unlabel lines are text
/// only. A line ending <c>\r\n</c> loses the <c>\r</c>; the newline after the last line is optional. Each line is
/// decoded as UTF-8, or as Latin-1 when it is not valid UTF-8 (the bundled MR files and one dvd line hold Latin-1
/// "é" bytes). Empty text after the tab is kept (the bundled sports_outdoors.task.train has one such line).
/// </summary>
public static class FduMtlReader
{
    /// <summary>Reads every <c>*.task.*</c> file of an archive or folder.</summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">Corrupt archive, bad line, unknown label, empty file, or no task files.</exception>
    public static FduMtlDataset Read(string path)
    {
        var files = new List<(string Domain, FduMtlSplit Split, string Name, byte[] Data)>();
        foreach (var file in TextArchive.Enumerate(path, name => TryParseName(name, out _, out _)))
        {
            if (!TryParseName(file.Path, out var domain, out var split))
            {
                continue;
            }

            foreach (var other in files)
            {
                if (other.Domain == domain && other.Split == split)
                {
                    throw new InvalidDataException($"{path}: '{file.Path}' repeats '{other.Name}' (domain {domain}, split {split})");
                }
            }

            files.Add((domain, split, file.Path, file.Data));
        }

        if (files.Count == 0)
        {
            throw new InvalidDataException($"{path}: no <domain>.task.{{train,test,unlabel}} files found");
        }

        files.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Domain, b.Domain);
            return c != 0 ? c : a.Split.CompareTo(b.Split);
        });
        var reviews = new List<FduMtlReview>();
        var latin1 = 0;
        foreach (var (domain, split, name, data) in files)
        {
            latin1 += ParseFile(data, $"{path}:{name}", domain, split, reviews);
        }

        return new FduMtlDataset(reviews, latin1);
    }

    internal static bool TryParseName(string path, out string domain, out FduMtlSplit split)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        domain = string.Empty;
        split = default;
        const string marker = ".task.";
        var at = name.LastIndexOf(marker, StringComparison.Ordinal);
        if (at <= 0)
        {
            return false;
        }

        switch (name[(at + marker.Length)..])
        {
            case "train":
                split = FduMtlSplit.Train;
                break;
            case "test":
                split = FduMtlSplit.Test;
                break;
            case "unlabel":
                split = FduMtlSplit.Unlabeled;
                break;
            default:
                return false;
        }

        domain = name[..at];
        return true;
    }

    private static int ParseFile(byte[] data, string source, string domain, FduMtlSplit split, List<FduMtlReview> reviews)
    {
        if (data.Length == 0)
        {
            throw new InvalidDataException($"{source}: file is empty");
        }

        var latin1 = 0;
        var span = data.AsSpan(TextDecoding.BomLength(data));
        var lineNumber = 0;
        while (!span.IsEmpty)
        {
            lineNumber++;
            var end = span.IndexOf((byte)'\n');
            var line = end < 0 ? span : span[..end];
            span = end < 0 ? [] : span[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                throw new InvalidDataException($"{source}: line {lineNumber} is empty");
            }

            int? label = null;
            if (split != FduMtlSplit.Unlabeled)
            {
                var tab = line.IndexOf((byte)'\t');
                if (tab < 0)
                {
                    throw new InvalidDataException($"{source}: line {lineNumber} has no tab between label and text");
                }

                var field = line[..tab];
                if (field.Length != 1 || (field[0] != (byte)'0' && field[0] != (byte)'1'))
                {
                    var shown = TextDecoding.Excerpt(TextDecoding.Decode(field, out _));
                    throw new InvalidDataException($"{source}: line {lineNumber}: label '{shown}' is not 0 or 1");
                }

                label = field[0] - (byte)'0';
                line = line[(tab + 1)..];
            }

            var text = TextDecoding.Decode(line, out var usedLatin1);
            if (usedLatin1)
            {
                latin1++;
            }

            reviews.Add(new FduMtlReview(domain, split, text, label));
        }

        return latin1;
    }
}
