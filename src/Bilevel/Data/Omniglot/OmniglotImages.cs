using System.IO.Compression;
using Bilevel.Data.Images;

namespace Bilevel.Data.Omniglot;

/// <summary>
/// Shared reading and conversion of Omniglot PNGs: bounded reads from zip entries and files, and the conversion of a
/// decoded PNG to the workbook's 28×28 ink image (strokes 1, background 0; see <see cref="OmniglotDataset"/>).
/// </summary>
internal static class OmniglotImages
{
    /// <summary>Largest accepted PNG inside a data set (the Omniglot files are about 300 bytes).</summary>
    internal const int MaxPngBytes = 1 << 24;

    /// <summary>A file found in a zip or folder: its '/'-separated path relative to the source and a way to read it.</summary>
    internal sealed record Entry(string RelativePath, string SourceName, Func<byte[]> Read);

    /// <summary>Decodes <paramref name="png"/> and returns ink = 1 − luminance, area-averaged to size × size.</summary>
    internal static float[] ToInk(byte[] png, string sourceName, int size)
    {
        var image = PngDecoder.Decode(png, sourceName);
        var grey = image.ToGrey();
        for (var i = 0; i < grey.Length; i++)
        {
            grey[i] = 1f - grey[i];
        }

        return image.Width == size && image.Height == size
            ? grey
            : ImageResize.AreaAverage(grey, image.Width, image.Height, size, size);
    }

    /// <summary>
    /// Lists the files of a zip archive or a folder (sorted by path, ordinal). Hidden files and folders (a component
    /// starting with '.') and macOS resource forks (<c>__MACOSX/</c>) are skipped. The caller must keep
    /// <paramref name="archive"/> alive while reading entries; it is null for folders.
    /// </summary>
    internal static List<Entry> List(string zipOrFolder, out ZipArchive? archive)
    {
        ArgumentException.ThrowIfNullOrEmpty(zipOrFolder);
        archive = null;
        var entries = new List<Entry>();
        if (Directory.Exists(zipOrFolder))
        {
            var root = Path.GetFullPath(zipOrFolder);
            foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
                if (!Skipped(relative))
                {
                    entries.Add(new Entry(relative, path, () => ReadFile(path)));
                }
            }
        }
        else if (File.Exists(zipOrFolder))
        {
            try
            {
                archive = ZipFile.OpenRead(zipOrFolder);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{zipOrFolder}: not a readable zip archive: {e.Message.ReplaceLineEndings(" ")}", e);
            }

            foreach (var zipEntry in archive.Entries)
            {
                var relative = zipEntry.FullName.Replace('\\', '/');
                if (relative.EndsWith('/') || Skipped(relative))
                {
                    continue;
                }

                var entry = zipEntry;
                var name = $"{zipOrFolder}:{relative}";
                entries.Add(new Entry(relative, name, () => ReadEntry(entry, name)));
            }
        }
        else
        {
            throw new FileNotFoundException($"{zipOrFolder}: no such zip file or folder", zipOrFolder);
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return entries;
    }

    private static bool Skipped(string relative)
    {
        foreach (var part in relative.Split('/'))
        {
            if (part.StartsWith('.') || part == "__MACOSX")
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] ReadFile(string path)
    {
        var length = new FileInfo(path).Length;
        if (length > MaxPngBytes)
        {
            throw new InvalidDataException($"{path}: byte 0: file is {length} bytes, more than the {MaxPngBytes}-byte limit for one image");
        }

        return File.ReadAllBytes(path);
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string name)
    {
        var claimed = entry.Length;
        if (claimed > MaxPngBytes)
        {
            throw new InvalidDataException($"{name}: byte 0: zip entry claims {claimed} bytes, more than the {MaxPngBytes}-byte limit for one image");
        }

        var bytes = new byte[claimed];
        try
        {
            using var stream = entry.Open();
            var got = 0;
            int n;
            while (got < bytes.Length && (n = stream.Read(bytes, got, bytes.Length - got)) > 0)
            {
                got += n;
            }

            if (got != claimed || stream.ReadByte() >= 0)
            {
                throw new InvalidDataException($"{name}: byte {got}: zip entry inflates to a length other than its declared {claimed} bytes");
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: corrupt zip entry: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        return bytes;
    }
}
