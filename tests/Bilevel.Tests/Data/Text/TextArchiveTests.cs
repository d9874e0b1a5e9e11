using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

/// <summary>Archive integrity through the public readers: truncation and corruption must be reported, never hang and
/// never be read as a shorter corpus.</summary>
public sealed class TextArchiveTests
{
    private static readonly (string, byte[])[] Files =
    [
        ("d.task.train", TextTestData.Utf8(string.Concat(Enumerable.Repeat("1\tsome review text\n", 400)))),
        ("d.task.test", TextTestData.Utf8("0\tlast\n")),
    ];

    [Fact]
    public void Read_IntactSmallArchive_ReadsAll()
    {
        using var temp = new TempFolder();
        var path = temp.Write("ok.tar.gz", TextTestData.TarGz(Files));
        Assert.Equal(401, FduMtlReader.Read(path).Reviews.Count);
    }

    [Fact]
    public void Read_BundledArchiveCutInHalf_ThrowsTruncated()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(TextTestData.Path("amazon-reviews/blitzer-sorted-data-acl.tar.gz"));
        var path = temp.Write("half.tar.gz", bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<InvalidDataException>(() => BlitzerReader.Read(path));
        var message = TextTestData.OneLine(ex);
        Assert.StartsWith($"{path}: ", message, StringComparison.Ordinal);
        Assert.Contains("truncated", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_GzipWithoutTrailer_ThrowsSizeMismatch()
    {
        // GZipStream itself accepts a file whose 8-byte trailer is missing; the reader must not.
        using var temp = new TempFolder();
        var bytes = TextTestData.TarGz(Files);
        var path = temp.Write("notrailer.tar.gz", bytes[..^8]);
        var ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(path));
        Assert.Matches(@"^.*notrailer\.tar\.gz: truncated or corrupt gzip file: \d+ bytes decompressed but the trailer records \d+ \(mod 2\^32\)$", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_TarCutAtEntryBoundary_ThrowsAfterLastEntry()
    {
        // A seekable TarReader stops silently when the data end exactly after an entry; read through gzip (or our
        // non-seekable wrapper) the cut must be reported, naming the last complete entry.
        using var temp = new TempFolder();
        var tar = TextTestData.Tar(Files);
        var firstEntry = 512 + ((Files[0].Item2.Length + 511) / 512 * 512);
        var plain = temp.Write("cut.tar", tar[..firstEntry]);
        var ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(plain));
        Assert.StartsWith($"{plain}: corrupt or truncated archive after entry 'd.task.train': ", TextTestData.OneLine(ex), StringComparison.Ordinal);

        var gz = temp.Write("cut.tar.gz", TextTestData.Gzip(tar[..firstEntry]));
        ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(gz));
        Assert.StartsWith($"{gz}: corrupt or truncated archive after entry 'd.task.train': ", TextTestData.OneLine(ex), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TarCutInsideEntryData_ThrowsClaimedBytes()
    {
        using var temp = new TempFolder();
        var tar = TextTestData.Tar(Files);
        var path = temp.Write("mid.tar", tar[..(512 + 1000)]);
        var ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(path));
        Assert.Equal($"{path}: truncated archive: entry 'd.task.train' claims {Files[0].Item2.Length} bytes but only 1000 follow", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_CorruptedDeflateData_ThrowsInvalidData()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(TextTestData.Path("amazon-reviews/blitzer-sorted-data-acl.tar.gz"));
        for (var i = 1000; i < 1100; i++)
        {
            bytes[i] ^= 0x5A;
        }

        var path = temp.Write("corrupt.tar.gz", bytes);
        var ex = Assert.Throws<InvalidDataException>(() => BlitzerReader.Read(path));
        Assert.StartsWith($"{path}: ", TextTestData.OneLine(ex), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EmptyFile_ThrowsEmpty()
    {
        using var temp = new TempFolder();
        var path = temp.Write("empty.tar.gz", []);
        var ex = Assert.Throws<InvalidDataException>(() => NewsgroupsReader.Read(path));
        Assert.Equal($"{path}: file is empty (expected a .tar.gz archive)", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_TextFileInsteadOfArchive_ThrowsInvalidData()
    {
        using var temp = new TempFolder();
        var path = temp.Write("text.tar.gz", string.Concat(Enumerable.Repeat("this is not a tar archive at all\n", 40)));
        var ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(path));
        Assert.StartsWith($"{path}: corrupt or truncated archive after entry '(start of archive)': ", TextTestData.OneLine(ex), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ShortGzip_ThrowsTooShort()
    {
        using var temp = new TempFolder();
        var path = temp.Write("short.tar.gz", [0x1F, 0x8B, 8, 0, 0, 0]);
        var ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(path));
        Assert.Equal($"{path}: truncated gzip file (6 bytes, a gzip member needs at least 18)", TextTestData.OneLine(ex));
    }
}
