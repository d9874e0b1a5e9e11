using System.Diagnostics;
using System.IO.Compression;
using Bilevel.Data.Images;
using Bilevel.Data.Omniglot;
using Xunit.Abstractions;

namespace Bilevel.Tests.Data.Omniglot;

public sealed class OmniglotDatasetTests(ITestOutputHelper output)
{
    [Fact]
    public void Load_BundledSubsets_8Alphabets242Characters4840Images()
    {
        var data = OmniglotTestData.Bundled;

        Assert.Equal(8, data.Alphabets.Count);
        Assert.Equal(242, data.CharacterCount);
        Assert.Equal(4840, data.ImageCount);
        Assert.Equal(1000, data.DuplicatesSkipped); // Greek (24) + Latin (26) characters × 20, present in both zips
        Assert.Equal(
            [("Balinese", 24), ("Early_Aramaic", 22), ("Greek", 24), ("Japanese_(katakana)", 47), ("Korean", 40), ("Latin", 26), ("Sanskrit", 42), ("Tagalog", 17)],
            data.Alphabets.Select(a => (a.Name, a.Characters.Count)));
        Assert.All(data.Alphabets.SelectMany(a => a.Characters), c => Assert.Equal(20, c.Count));
    }

    [Fact]
    public void Load_OneSubset_CountsOfThatZip()
    {
        var data = OmniglotDataset.Load(OmniglotTestData.Small1);

        Assert.Equal(5, data.Alphabets.Count);
        Assert.Equal(136, data.CharacterCount);
        Assert.Equal(2720, data.ImageCount);
        Assert.Equal(0, data.DuplicatesSkipped);
    }

    [Fact]
    public void Load_FreshLoad_IdenticalToSharedLoadAndTimed()
    {
        var shared = OmniglotTestData.Bundled; // also warms up (JIT) the loading code before timing
        var watch = Stopwatch.StartNew();
        var data = OmniglotDataset.Load(OmniglotTestData.Small1, OmniglotTestData.Small2);
        var loadMs = watch.Elapsed.TotalMilliseconds;

        // Decode alone: the 4,840 distinct PNGs, read into memory first.
        var pngs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in new[] { OmniglotTestData.Small1, OmniglotTestData.Small2 })
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".png", StringComparison.Ordinal)))
            {
                using var stream = entry.Open();
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                pngs.TryAdd(entry.FullName[(entry.FullName.IndexOf('/', StringComparison.Ordinal) + 1)..], copy.ToArray());
            }
        }

        watch.Restart();
        long pixels = 0;
        foreach (var (name, bytes) in pngs)
        {
            pixels += PngDecoder.Decode(bytes, name).Pixels.Length;
        }

        var decodeMs = watch.Elapsed.TotalMilliseconds;
        output.WriteLine($"Load (read zips, decode, invert, resize to 28×28) of {data.ImageCount} images ({data.DuplicatesSkipped} duplicates skipped): {loadMs:F0} ms");
        output.WriteLine($"PngDecoder.Decode alone on {pngs.Count} PNGs ({pngs.Values.Sum(b => (long)b.Length)} bytes): {decodeMs:F0} ms");

        Assert.Equal(4840, pngs.Count);
        Assert.Equal(4840L * 105 * 105, pixels);
        Assert.Equal(shared.ImageCount, data.ImageCount);
        for (var a = 0; a < shared.Alphabets.Count; a++)
        {
            for (var c = 0; c < shared.Alphabets[a].Characters.Count; c++)
            {
                Assert.True(shared.Alphabets[a].Characters[c].Pixels.SequenceEqual(data.Alphabets[a].Characters[c].Pixels));
            }
        }
    }

    [Fact]
    public void Load_ZipOrderReversed_SameOrderAndPixels()
    {
        var reversed = OmniglotDataset.Load(OmniglotTestData.Small2, OmniglotTestData.Small1);
        var shared = OmniglotTestData.Bundled;

        Assert.Equal(shared.Alphabets.Select(a => a.Name), reversed.Alphabets.Select(a => a.Name));
        Assert.True(shared["Greek"].Characters[3].Pixels.SequenceEqual(reversed["Greek"].Characters[3].Pixels));
    }

    [Fact]
    public void Images_InkConvention_StrokesOneBackgroundZero()
    {
        var data = OmniglotTestData.Bundled;
        double total = 0;
        int images = 0, blankCorners = 0;
        foreach (var character in data.Alphabets.SelectMany(a => a.Characters))
        {
            for (var i = 0; i < character.Count; i++)
            {
                var image = character.Image(i);
                foreach (var v in image)
                {
                    Assert.InRange(v, 0f, 1f);
                    total += v;
                }

                if (image[0] == 0f && image[27] == 0f && image[27 * 28] == 0f && image[^1] == 0f)
                {
                    blankCorners++;
                }

                images++;
            }
        }

        // Ink covers a small part of the paper: mean ink well below 0.5, and the corners are empty (0) in almost every image.
        Assert.InRange(total / (images * 784.0), 0.02, 0.25);
        Assert.True(blankCorners > 0.95 * images, $"only {blankCorners} of {images} images have four empty corners");
    }

    [Fact]
    public void Images_FirstBalineseDrawing_EqualsInvertedSupersampledPng()
    {
        // Independent path: decode the raw 105×105 PNG, invert, and average 105×105 blocks of a 2940×2940 sub-grid.
        using var zip = ZipFile.OpenRead(OmniglotTestData.Small1);
        var entry = zip.GetEntry("images_background_small1/Balinese/character01/0108_01.png")!;
        using var stream = entry.Open();
        var raw = PngDecoder.Decode(stream, entry.FullName).ToGrey();
        var image = OmniglotTestData.Bundled["Balinese"].Characters[0].Image(0);

        double rawInk = 0;
        foreach (var v in raw)
        {
            rawInk += 1 - v;
        }

        for (var i = 0; i < 28; i++)
        {
            for (var j = 0; j < 28; j++)
            {
                double sum = 0;
                for (var u = i * 105; u < (i + 1) * 105; u++)
                {
                    for (var v = j * 105; v < (j + 1) * 105; v++)
                    {
                        sum += 1 - raw[(u / 28 * 105) + (v / 28)];
                    }
                }

                Assert.Equal(sum / (105 * 105), image[(i * 28) + j], 1e-6);
            }
        }

        double ink = 0;
        foreach (var v in image)
        {
            ink += v;
        }

        Assert.True(rawInk > 100, "the drawing has ink");
        Assert.Equal(rawInk / (105 * 105), ink / 784, 1e-6); // area averaging preserves the mean
    }

    [Fact]
    public void Characters_FileNamesInDrawerOrder()
    {
        var character = OmniglotTestData.Bundled["Balinese"].Characters[0];

        Assert.Equal("character01", character.Name);
        Assert.Equal(Enumerable.Range(1, 20).Select(d => $"0108_{d:D2}.png"), character.FileNames);
        Assert.Equal("Balinese/character01", character.ToString());
    }

    [Fact]
    public void Load_ExtractedFolder_SameAsZip()
    {
        // Extract one alphabet (Tagalog, 17 characters) in the zip's layout; load the folder and its root folder.
        var folder = OmniglotTestData.TempFolder();
        try
        {
            using (var zip = ZipFile.OpenRead(OmniglotTestData.Small2))
            {
                foreach (var entry in zip.Entries.Where(e => e.FullName.Contains("/Tagalog/", StringComparison.Ordinal) && e.Name.Length > 0))
                {
                    var target = Path.Combine(folder, entry.FullName);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    entry.ExtractToFile(target);
                }
            }

            File.WriteAllText(Path.Combine(folder, "README.txt"), "not an image");
            var fromParent = OmniglotDataset.Load(folder);
            var fromRoot = OmniglotDataset.Load(Path.Combine(folder, "images_background_small2"));
            var fromZip = OmniglotTestData.Bundled["Tagalog"];

            foreach (var loaded in new[] { fromParent, fromRoot })
            {
                Assert.Equal(340, loaded.ImageCount);
                var tagalog = Assert.Single(loaded.Alphabets);
                Assert.Equal("Tagalog", tagalog.Name);
                for (var c = 0; c < fromZip.Characters.Count; c++)
                {
                    Assert.Equal(fromZip.Characters[c].FileNames, tagalog.Characters[c].FileNames);
                    Assert.True(fromZip.Characters[c].Pixels.SequenceEqual(tagalog.Characters[c].Pixels));
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_MissingPath_FileNotFoundNamingIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => OmniglotDataset.Load(OmniglotTestData.Small1, "/no/such/omniglot.zip"));

        Assert.Contains("/no/such/omniglot.zip: no such Omniglot zip file or folder", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DuplicateWithDifferentBytes_Fails()
    {
        var other = RealPng("images_background_small1/Greek/character02/0395_01.png");
        WithZip(
            zip => Add(zip, "other/Greek/character01/0394_01.png", other),
            path =>
            {
                var e = Assert.Throws<InvalidDataException>(() => OmniglotDataset.Load(OmniglotTestData.Small1, path));
                Assert.Contains($"{path}:other/Greek/character01/0394_01.png: duplicate of {OmniglotTestData.Small1}:images_background_small1/Greek/character01/0394_01.png with different content", e.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Load_CharacterWith19Images_Fails()
    {
        var png = RealPng("images_background_small1/Greek/character01/0394_01.png");
        WithZip(
            zip =>
            {
                for (var d = 1; d <= 19; d++)
                {
                    Add(zip, $"root/Greek/character01/0394_{d:D2}.png", png);
                }
            },
            path =>
            {
                var e = Assert.Throws<InvalidDataException>(() => OmniglotDataset.Load(path));
                Assert.Contains("character Greek/character01 has 19 images, expected 20", e.Message, StringComparison.Ordinal);
            });
    }

    [Theory]
    [InlineData("root/Greek/character01/394-01.png", "file name \"394-01.png\" is not <charid>_<drawer>.png")]
    [InlineData("root/Greek/char01/0394_01.png", "character folder \"char01\" is not characterNN")]
    [InlineData("a/b/Greek/character01/0394_01.png", "path has 5 parts")]
    [InlineData("root/Greek/character01/0394_21.png", "drawer 21 is outside 1–20")]
    public void Load_BadLayout_FailsNamingEntry(string entryName, string message)
    {
        WithZip(
            zip => Add(zip, entryName, RealPng("images_background_small1/Greek/character01/0394_01.png")),
            path =>
            {
                var e = Assert.Throws<InvalidDataException>(() => OmniglotDataset.Load(path));
                Assert.StartsWith($"{path}:{entryName}: ", e.Message, StringComparison.Ordinal);
                Assert.Contains(message, e.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Load_CorruptPngInZip_FailsNamingZipEntryAndChunk()
    {
        var png = RealPng("images_background_small1/Greek/character01/0394_01.png");
        var corrupt = png.ToArray();
        corrupt[^20] ^= 0x10; // in the IDAT chunk's last bytes: breaks its CRC
        WithZip(
            zip =>
            {
                for (var d = 1; d <= 20; d++)
                {
                    Add(zip, $"root/Greek/character01/0394_{d:D2}.png", d == 5 ? corrupt : png);
                }
            },
            path =>
            {
                var e = Assert.Throws<InvalidDataException>(() => OmniglotDataset.Load(path));
                Assert.True(e.Message.StartsWith($"{path}:root/Greek/character01/0394_05.png: chunk IDAT at byte ", StringComparison.Ordinal), e.Message);
                Assert.Contains("CRC-32 mismatch", e.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Load_NotAZip_Fails()
    {
        var folder = OmniglotTestData.TempFolder();
        try
        {
            var path = Path.Combine(folder, "fake.zip");
            File.WriteAllText(path, "hello");
            var e = Assert.Throws<InvalidDataException>(() => OmniglotDataset.Load(path));
            Assert.StartsWith($"{path}: not a readable zip archive", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Indexer_UnknownAlphabet_ListsNames()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => OmniglotTestData.Bundled["Klingon"]);

        Assert.Contains("no alphabet \"Klingon\"; this set has Balinese, Early_Aramaic, Greek", e.Message, StringComparison.Ordinal);
    }

    internal static byte[] RealPng(string entryName)
    {
        using var zip = ZipFile.OpenRead(OmniglotTestData.Small1);
        using var stream = zip.GetEntry(entryName)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(bytes);
    }

    private static void WithZip(Action<ZipArchive> fill, Action<string> test)
    {
        var folder = OmniglotTestData.TempFolder();
        try
        {
            var path = Path.Combine(folder, "test.zip");
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                fill(zip);
            }

            test(path);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
