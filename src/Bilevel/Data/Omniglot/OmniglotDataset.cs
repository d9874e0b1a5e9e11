using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Bilevel.Data.Omniglot;

/// <summary>
/// Omniglot (Lake, Salakhutdinov &amp; Tenenbaum, Science 2015; files from brendenlake/omniglot, <c>python/</c>): handwritten
/// characters of many alphabets, each drawn once by 20 different people, as 105×105 1-bit PNGs in the official layout
/// <c>&lt;root&gt;/&lt;Alphabet&gt;/&lt;characterNN&gt;/&lt;charid&gt;_&lt;drawer&gt;.png</c>. Papers 001 (§4.2, hyper-representation
/// few-shot learning) and 002 use it at 28×28 with the 4-block ConvNet.
/// </summary>
/// <remarks>
/// <para>
/// <b>Pixel convention: ink = 1, background = 0.</b> The PNGs are white paper (1) with black strokes (0). Every image is
/// decoded (<see cref="Images.PngDecoder"/>), inverted to ink = 1 − luminance, and area-averaged from 105×105 to 28×28
/// (<see cref="Images.ImageResize.AreaAverage(ReadOnlySpan{float}, int, int, int, int)"/>), so values lie in [0, 1]
/// with 0 for empty paper. This follows the loader behind paper 001's baseline code: the ESJ repository
/// (sowmaster/esjacobians, cited in digest 001 §2, "ESJ repo defaults for Omniglot") builds its Omniglot tasks with
/// learn2learn's <c>omniglot_tasksets</c>, whose transform is <c>Resize(28, LANCZOS)</c>, <c>ToTensor()</c>,
/// <c>lambda x: 1.0 - x</c>. Paper 001 (§4.2) itself states no image size or pixel convention; paper 002's digest has no
/// Omniglot experiment (its meta-learning runs are FC100 and miniImageNet, digest 002 §4.1). Differences from
/// learn2learn: area averaging instead of LANCZOS, so individual pixel values differ slightly.
/// </para>
/// <para>
/// <b>Merging sources.</b> <see cref="Load"/> merges any number of zips and folders. Images are identified by
/// alphabet/character/file name (the root folder name, e.g. <c>images_background_small1</c>, is ignored). The bundled
/// <c>images_background_small1.zip</c> and <c>images_background_small2.zip</c> both contain Greek and Latin with the
/// same characters and byte-identical files; the second copy of each is dropped and counted in
/// <see cref="DuplicatesSkipped"/> (1,000 = 50 characters × 20). A duplicate whose bytes differ is an error.
/// Bundled totals: 8 alphabets, 242 characters, 4,840 images.
/// </para>
/// <para>
/// Order is deterministic regardless of archive order: alphabets and characters sorted by name (ordinal), images of a
/// character by drawer number. Every character must have exactly <see cref="DrawersPerCharacter"/> images.
/// </para>
/// </remarks>
public sealed partial class OmniglotDataset
{
    /// <summary>Side of the stored images.</summary>
    public const int ImageSize = 28;

    /// <summary>Pixels per stored image, 28·28.</summary>
    public const int PixelCount = ImageSize * ImageSize;

    /// <summary>Images per character in the official data: one per drawer.</summary>
    public const int DrawersPerCharacter = 20;

    /// <summary>The two bundled background subsets, relative to the repository's <c>data/</c> folder.</summary>
    public static readonly IReadOnlyList<string> BundledFiles =
        ["omniglot/images_background_small1.zip", "omniglot/images_background_small2.zip"];

    private readonly Dictionary<string, OmniglotAlphabet> _byName;

    private OmniglotDataset(List<OmniglotAlphabet> alphabets, IReadOnlyList<string> sources, int duplicatesSkipped)
    {
        Alphabets = alphabets;
        Sources = sources;
        DuplicatesSkipped = duplicatesSkipped;
        _byName = alphabets.ToDictionary(a => a.Name, StringComparer.Ordinal);
        foreach (var a in alphabets)
        {
            CharacterCount += a.Characters.Count;
            foreach (var c in a.Characters)
            {
                ImageCount += c.Count;
            }
        }
    }

    /// <summary>Alphabets sorted by name.</summary>
    public IReadOnlyList<OmniglotAlphabet> Alphabets { get; }

    /// <summary>The zips and folders this set was loaded from, in the order given.</summary>
    public IReadOnlyList<string> Sources { get; }

    public int CharacterCount { get; }

    public int ImageCount { get; }

    /// <summary>Images found more than once (same alphabet/character/file name, same bytes) and kept once.</summary>
    public int DuplicatesSkipped { get; }

    /// <summary>The alphabet called <paramref name="name"/>; <see cref="KeyNotFoundException"/> listing the names if absent.</summary>
    public OmniglotAlphabet this[string name] =>
        _byName.TryGetValue(name, out var a)
            ? a
            : throw new KeyNotFoundException($"no alphabet \"{name}\"; this set has {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>Whether an alphabet called <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Loads <see cref="BundledFiles"/> from <paramref name="dataDirectory"/> (the repository's <c>data/</c>).</summary>
    public static OmniglotDataset LoadBundled(string dataDirectory) =>
        Load([.. BundledFiles.Select(f => Path.Combine(dataDirectory, f))]);

    /// <summary>
    /// Loads and merges Omniglot zips or extracted folders in the official layout. A folder may be the root itself
    /// (holding alphabet folders) or its parent, like an extracted zip. Missing paths give
    /// <see cref="FileNotFoundException"/>; malformed layouts, names, PNGs, conflicting duplicates and characters
    /// without exactly 20 images give <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static OmniglotDataset Load(params string[] zipsOrFolders)
    {
        ArgumentNullException.ThrowIfNull(zipsOrFolders);
        if (zipsOrFolders.Length == 0)
        {
            throw new ArgumentException("give at least one Omniglot zip file or folder", nameof(zipsOrFolders));
        }

        foreach (var source in zipsOrFolders)
        {
            if (!File.Exists(source) && !Directory.Exists(source))
            {
                throw new FileNotFoundException($"{source}: no such Omniglot zip file or folder", source);
            }
        }

        // key "Alphabet/characterNN/file.png" → first occurrence
        var found = new Dictionary<string, Found>(StringComparer.Ordinal);
        var duplicates = 0;
        var archives = new List<ZipArchive>();
        try
        {
            foreach (var source in zipsOrFolders)
            {
                var entries = OmniglotImages.List(source, out var archive);
                if (archive is not null)
                {
                    archives.Add(archive);
                }

                foreach (var entry in entries)
                {
                    if (!entry.RelativePath.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    var (alphabet, character, file, drawer) = ParsePath(entry);
                    var key = $"{alphabet}/{character}/{file}";
                    var bytes = entry.Read();
                    if (found.TryGetValue(key, out var first))
                    {
                        if (!first.Bytes.AsSpan().SequenceEqual(bytes))
                        {
                            throw new InvalidDataException($"{entry.SourceName}: duplicate of {first.SourceName} with different content");
                        }

                        duplicates++;
                        continue;
                    }

                    found.Add(key, new Found(alphabet, character, file, drawer, entry.SourceName, bytes));
                }
            }

            return Build(found, zipsOrFolders, duplicates);
        }
        finally
        {
            foreach (var archive in archives)
            {
                archive.Dispose();
            }
        }
    }

    private static OmniglotDataset Build(Dictionary<string, Found> found, string[] sources, int duplicates)
    {
        if (found.Count == 0)
        {
            throw new InvalidDataException($"{string.Join(", ", sources)}: no Omniglot PNG files (expected <root>/<Alphabet>/<characterNN>/<charid>_<drawer>.png)");
        }

        var groups = new SortedDictionary<string, SortedDictionary<string, List<Found>>>(StringComparer.Ordinal);
        foreach (var f in found.Values)
        {
            if (!groups.TryGetValue(f.Alphabet, out var characters))
            {
                characters = new SortedDictionary<string, List<Found>>(StringComparer.Ordinal);
                groups.Add(f.Alphabet, characters);
            }

            if (!characters.TryGetValue(f.Character, out var images))
            {
                images = [];
                characters.Add(f.Character, images);
            }

            images.Add(f);
        }

        var alphabets = new List<OmniglotAlphabet>(groups.Count);
        foreach (var (alphabetName, characters) in groups)
        {
            var list = new List<OmniglotCharacter>(characters.Count);
            foreach (var (characterName, images) in characters)
            {
                images.Sort((a, b) => a.Drawer.CompareTo(b.Drawer));
                var where = images[0].SourceName;
                if (images.Count != DrawersPerCharacter)
                {
                    throw new InvalidDataException($"{where}: character {alphabetName}/{characterName} has {images.Count} images, expected {DrawersPerCharacter} (one per drawer)");
                }

                var charId = images[0].File[..images[0].File.IndexOf('_', StringComparison.Ordinal)];
                var pixels = new float[images.Count * PixelCount];
                var files = new string[images.Count];
                for (var i = 0; i < images.Count; i++)
                {
                    var f = images[i];
                    if (i > 0 && f.Drawer == images[i - 1].Drawer)
                    {
                        throw new InvalidDataException($"{f.SourceName}: drawer {f.Drawer} appears twice in {alphabetName}/{characterName} (also {images[i - 1].File})");
                    }

                    if (!f.File.StartsWith(charId + "_", StringComparison.Ordinal))
                    {
                        throw new InvalidDataException($"{f.SourceName}: character id differs from {images[0].File} in the same folder {alphabetName}/{characterName}");
                    }

                    OmniglotImages.ToInk(f.Bytes, f.SourceName, ImageSize).CopyTo(pixels, i * PixelCount);
                    files[i] = f.File;
                }

                list.Add(new OmniglotCharacter(alphabetName, characterName, files, pixels));
            }

            alphabets.Add(new OmniglotAlphabet(alphabetName, list));
        }

        return new OmniglotDataset(alphabets, [.. sources], duplicates);
    }

    private static (string Alphabet, string Character, string File, int Drawer) ParsePath(OmniglotImages.Entry entry)
    {
        var parts = entry.RelativePath.Split('/');
        if (parts.Length is not (3 or 4))
        {
            throw new InvalidDataException($"{entry.SourceName}: path has {parts.Length} parts, expected [<root>/]<Alphabet>/<characterNN>/<charid>_<drawer>.png");
        }

        var alphabet = parts[^3];
        var character = parts[^2];
        var file = parts[^1];
        if (!CharacterPattern().IsMatch(character))
        {
            throw new InvalidDataException($"{entry.SourceName}: character folder \"{character}\" is not characterNN");
        }

        var match = FilePattern().Match(file);
        if (!match.Success)
        {
            throw new InvalidDataException($"{entry.SourceName}: file name \"{file}\" is not <charid>_<drawer>.png");
        }

        var drawer = int.Parse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (drawer is < 1 or > DrawersPerCharacter)
        {
            throw new InvalidDataException($"{entry.SourceName}: drawer {drawer} is outside 1–{DrawersPerCharacter}");
        }

        return (alphabet, character, file, drawer);
    }

    [GeneratedRegex(@"^character\d{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex CharacterPattern();

    [GeneratedRegex(@"^(\d{1,6})_(\d{2})\.png$", RegexOptions.CultureInvariant)]
    private static partial Regex FilePattern();

    private sealed record Found(string Alphabet, string Character, string File, int Drawer, string SourceName, byte[] Bytes);
}

/// <summary>One Omniglot alphabet: its characters, sorted by folder name.</summary>
public sealed class OmniglotAlphabet
{
    internal OmniglotAlphabet(string name, IReadOnlyList<OmniglotCharacter> characters)
    {
        Name = name;
        Characters = characters;
    }

    /// <summary>Folder name, e.g. <c>Japanese_(katakana)</c>.</summary>
    public string Name { get; }

    public IReadOnlyList<OmniglotCharacter> Characters { get; }

    public int ImageCount => Characters.Count * OmniglotDataset.DrawersPerCharacter;
}

/// <summary>
/// One Omniglot character: <see cref="OmniglotDataset.DrawersPerCharacter"/> drawings, each a 28×28 row-major ink image
/// (strokes 1, background 0), ordered by drawer.
/// </summary>
public sealed class OmniglotCharacter
{
    private readonly float[] _pixels;

    internal OmniglotCharacter(string alphabet, string name, IReadOnlyList<string> fileNames, float[] pixels)
    {
        Alphabet = alphabet;
        Name = name;
        FileNames = fileNames;
        _pixels = pixels;
    }

    public string Alphabet { get; }

    /// <summary>Folder name, e.g. <c>character07</c>.</summary>
    public string Name { get; }

    /// <summary>The PNG file names (<c>&lt;charid&gt;_&lt;drawer&gt;.png</c>) in image order.</summary>
    public IReadOnlyList<string> FileNames { get; }

    public int Count => FileNames.Count;

    /// <summary>All images back to back: Count·784 floats.</summary>
    public ReadOnlySpan<float> Pixels => _pixels;

    /// <summary>Image <paramref name="index"/> (0-based, drawer order): 784 floats.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _pixels.AsSpan(index * OmniglotDataset.PixelCount, OmniglotDataset.PixelCount);
    }

    public override string ToString() => $"{Alphabet}/{Name}";
}
