using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

/// <summary>Paths of the bundled corpora, shared parsed copies (read once per test run), and scratch files.</summary>
internal static class TextTestData
{
    private static readonly Lazy<FduMtlDataset> FduMtlCache = new(() => FduMtlReader.Read(Path("amazon-reviews/fdu-mtl.tar.gz")));
    private static readonly Lazy<NewsgroupsDataset> NewsgroupsCache = new(() => NewsgroupsReader.Read(Path("20newsgroups/20news-bydate.tar.gz")));

    private static readonly Lazy<(TextVectorizer Vectorizer, SparseMatrix Train, SparseMatrix Test)> GrazziCache = new(() =>
    {
        var vectorizer = new TextVectorizer(TextVectorizerOptions.Grazzi);
        var train = vectorizer.FitTransform(Newsgroups.Texts(NewsgroupsSplit.Train));
        return (vectorizer, train, vectorizer.Transform(Newsgroups.Texts(NewsgroupsSplit.Test)));
    });

    public static FduMtlDataset FduMtl => FduMtlCache.Value;

    /// <summary>20 Newsgroups (raw messages) vectorized with <see cref="TextVectorizerOptions.Grazzi"/>, fitted on train.</summary>
    public static (TextVectorizer Vectorizer, SparseMatrix Train, SparseMatrix Test) NewsgroupsGrazzi => GrazziCache.Value;

    public static NewsgroupsDataset Newsgroups => NewsgroupsCache.Value;

    /// <summary>Absolute path of a file under data/.</summary>
    public static string Path(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Bilevel.Notebooks.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var path = System.IO.Path.Combine(directory.FullName, "data", relative);
        Assert.True(File.Exists(path) || Directory.Exists(path), $"bundled data missing: {path}");
        return path;
    }

    /// <summary>Asserts that the message is one line and returns it.</summary>
    public static string OneLine(Exception exception)
    {
        Assert.DoesNotContain('\n', exception.Message);
        Assert.DoesNotContain('\r', exception.Message);
        return exception.Message;
    }

    /// <summary>The bytes of a .tar.gz holding the given files (written with TarWriter, GNU format).</summary>
    public static byte[] TarGz(params (string Name, byte[] Data)[] files) => Gzip(Tar(files));

    public static byte[] Tar(params (string Name, byte[] Data)[] files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var (name, data) in files)
            {
                var entry = new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
                writer.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>A scratch folder under the temp directory, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), $"bilevel-text-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string relative, byte[] data)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }

    public string Write(string relative, string text) => Write(relative, Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
