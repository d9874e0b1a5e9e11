using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;

namespace Bilevel.Data.Text;

/// <summary>One file of a corpus: its path relative to the archive or folder root ('/'-separated) and its bytes.</summary>
internal readonly record struct ArchiveFile(string Path, byte[] Data);

/// <summary>
/// Enumerates the files of a corpus stored as a <c>.tar.gz</c> (or plain <c>.tar</c>) archive, read with
/// <see cref="TarReader"/> over a <see cref="GZipStream"/>, or as an extracted folder. Archive integrity is checked
/// beyond what the framework does: <see cref="GZipStream"/> silently returns short data for a truncated file and
/// <see cref="TarReader"/> stops without complaint when the data end at an entry boundary, so the reader compares the
/// gzip trailer's ISIZE field (uncompressed length mod 2³², RFC 1952 §2.3.1; single-member gzip assumed, as written
/// by <c>tar czf</c>) with the bytes actually decompressed, and requires the tar end-of-archive zero block.
/// Every failure is an <see cref="InvalidDataException"/> naming the archive and the last entry read.
/// </summary>
internal static class TextArchive
{
    /// <summary>Largest single text file accepted (a claimed size above this is rejected before allocating).</summary>
    public const long MaxFileBytes = 512L << 20;

    private const int TarBlock = 512;

    public static IEnumerable<ArchiveFile> Enumerate(string path, Func<string, bool> wanted)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(wanted);
        if (Directory.Exists(path))
        {
            return EnumerateFolder(path, wanted);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file or folder", path);
        }

        return EnumerateArchive(path, wanted);
    }

    private static IEnumerable<ArchiveFile> EnumerateFolder(string root, Func<string, bool> wanted)
    {
        var files = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            files.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        }

        files.Sort(StringComparer.Ordinal);
        foreach (var relative in files)
        {
            if (!wanted(relative))
            {
                continue;
            }

            var full = Path.Combine(root, relative);
            var length = new FileInfo(full).Length;
            if (length > MaxFileBytes)
            {
                throw new InvalidDataException($"{full}: {length} bytes, more than the {MaxFileBytes >> 20} MiB limit for one text file");
            }

            yield return new ArchiveFile(relative, File.ReadAllBytes(full));
        }
    }

    private static IEnumerable<ArchiveFile> EnumerateArchive(string path, Func<string, bool> wanted)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var length = file.Length;
        if (length == 0)
        {
            throw new InvalidDataException($"{path}: file is empty (expected a .tar.gz archive)");
        }

        Span<byte> magic = stackalloc byte[2];
        var gzip = file.Read(magic) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        uint? claimedSize = null;
        if (gzip)
        {
            if (length < 18)
            {
                throw new InvalidDataException($"{path}: truncated gzip file ({length} bytes, a gzip member needs at least 18)");
            }

            Span<byte> trailer = stackalloc byte[4];
            file.Seek(-4, SeekOrigin.End);
            file.ReadExactly(trailer);
            claimedSize = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        }

        file.Seek(0, SeekOrigin.Begin);
        using var decompressed = gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : (Stream)file;
        using var counting = new CountingStream(decompressed);
        using var tar = new TarReader(counting, leaveOpen: true);
        var last = "(start of archive)";
        var entries = 0;
        while (true)
        {
            var entry = NextEntry(tar, path, last);
            if (entry is null)
            {
                break;
            }

            entries++;
            last = entry.Name;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
            {
                continue;
            }

            var name = entry.Name.Replace('\\', '/');
            if (name.StartsWith("./", StringComparison.Ordinal))
            {
                name = name[2..];
            }

            if (Path.GetFileName(name).StartsWith("._", StringComparison.Ordinal) || !wanted(name))
            {
                continue;
            }

            yield return new ArchiveFile(name, ReadEntry(entry, path));
        }

        if (entries == 0 && counting.Position == 0)
        {
            throw new InvalidDataException($"{path}: archive holds no data");
        }

        if (counting.TrailingZeros < TarBlock)
        {
            throw new InvalidDataException($"{path}: truncated tar archive: data end after entry '{last}' without the end-of-archive block");
        }

        if (claimedSize is { } size)
        {
            try
            {
                counting.CopyTo(Stream.Null);
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
            {
                throw new InvalidDataException($"{path}: corrupt gzip data after entry '{last}': {TextDecoding.OneLine(ex.Message)}", ex);
            }

            if ((uint)counting.Position != size)
            {
                throw new InvalidDataException(
                    $"{path}: truncated or corrupt gzip file: {counting.Position} bytes decompressed but the trailer records {size} (mod 2^32)");
            }
        }
    }

    private static TarEntry? NextEntry(TarReader tar, string path, string last)
    {
        try
        {
            return tar.GetNextEntry(copyData: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or IOException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: corrupt or truncated archive after entry '{last}': {TextDecoding.OneLine(ex.Message)}", ex);
        }
    }

    private static byte[] ReadEntry(TarEntry entry, string path)
    {
        var claimed = entry.Length;
        if (claimed < 0 || claimed > MaxFileBytes)
        {
            throw new InvalidDataException($"{path}: entry '{entry.Name}' claims {claimed} bytes, outside [0, {MaxFileBytes >> 20} MiB]");
        }

        if (entry.DataStream is null || claimed == 0)
        {
            return [];
        }

        // Grow with the data actually read, so a lying header cannot make us allocate its claimed size up front.
        var buffer = new byte[(int)Math.Min(claimed, 1 << 20)];
        var filled = 0;
        try
        {
            while (filled < claimed)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(claimed, (long)buffer.Length * 2));
                }

                var read = entry.DataStream.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{path}: corrupt or truncated data in entry '{entry.Name}': {TextDecoding.OneLine(ex.Message)}", ex);
        }

        if (filled < claimed)
        {
            throw new InvalidDataException($"{path}: truncated archive: entry '{entry.Name}' claims {claimed} bytes but only {filled} follow");
        }

        return buffer;
    }

    /// <summary>Read-only pass-through that counts bytes and the length of the zero run at the end of what was read.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public long Count { get; private set; }

        public long TrailingZeros { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            if (read > 0)
            {
                Count += read;
                var data = buffer[..read];
                var lastNonZero = data.LastIndexOfAnyExcept((byte)0);
                TrailingZeros = lastNonZero < 0 ? TrailingZeros + read : read - 1 - lastNonZero;
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
