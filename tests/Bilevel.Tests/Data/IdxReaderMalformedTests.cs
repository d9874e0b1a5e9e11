using Bilevel.Data;

namespace Bilevel.Tests.Data;

/// <summary>Malformed IDX files: each fails with one specific line, quickly, without allocating the claimed size.</summary>
public sealed class IdxReaderMalformedTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>
    /// Runs the read on a worker with a 10 s limit (a hang fails the test instead of stalling the run), asserts an
    /// <see cref="InvalidDataException"/> whose single-line message starts with the path and contains
    /// <paramref name="expected"/>, and returns the bytes the failed read allocated (a 64 KiB file buffer, the
    /// inflater's state and the exception: far below the claimed sizes of the huge-dimension cases).
    /// </summary>
    private static async Task<long> AssertFailsAsync(string path, string expected, Func<string, object> read)
    {
        var (ex, allocated) = await Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Exception? caught = null;
            try
            {
                read(path);
            }
            catch (Exception e)
            {
                caught = e;
            }

            return (caught, GC.GetAllocatedBytesForCurrentThread() - before);
        }).WaitAsync(TimeSpan.FromSeconds(10));

        var invalid = Assert.IsType<InvalidDataException>(ex);
        Assert.StartsWith(path + ": ", invalid.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', invalid.Message);
        Assert.Contains(expected, invalid.Message, StringComparison.Ordinal);
        return allocated;
    }

    private static object ReadAny(string path) => IdxReader.Read(path);

    private static object ReadImages(string path) => IdxReader.ReadImages(path);

    [Fact]
    public async Task Read_EmptyFile_SaysEmpty()
    {
        var path = _files.Write("empty.idx", []);

        await AssertFailsAsync(path, "empty file (0 bytes)", ReadAny);
    }

    [Fact]
    public async Task Read_ThreeBytes_EndsInsideMagic()
    {
        var path = _files.Write("short.idx", [0, 0, 8]);

        await AssertFailsAsync(path, "ends at offset 3, inside the 4-byte IDX magic", ReadAny);
    }

    [Fact]
    public async Task Read_WrongMagic_ShowsMagicAndOffset()
    {
        byte[] bytes = [0x01, 0x00, 0x08, 0x01, 0, 0, 0, 1, 42];
        var path = _files.Write("magic.idx", bytes);

        await AssertFailsAsync(path, "wrong magic 0x01000801 at offset 0", ReadAny);
    }

    [Fact]
    public async Task Read_WrongMagicInsideGzip_OffsetIsDecompressed()
    {
        var path = _files.Write("magic.gz", IdxTestFiles.Gzip("PK\u0003\u0004 not an idx file"u8.ToArray()));

        await AssertFailsAsync(path, "wrong magic 0x504B0304 at decompressed offset 0", ReadAny);
    }

    [Fact]
    public async Task Read_Float32Type_NamesTheType()
    {
        byte[] bytes = [.. IdxTestFiles.Header(0x0D, 2), 0, 0, 0, 0, 0, 0, 0, 0];
        var path = _files.Write("float.idx", bytes);

        await AssertFailsAsync(path, "unsupported IDX element type 0x0D (float32) at offset 2; only 0x08 (unsigned byte) can be read here", ReadAny);
    }

    [Fact]
    public async Task ReadLabels_Float64Type_MentionsInt32Labels()
    {
        byte[] bytes = [.. IdxTestFiles.Header(0x0E, 1), 0, 0, 0, 0, 0, 0, 0, 0];
        var path = _files.Write("double.idx", bytes);

        await AssertFailsAsync(path, "unsupported IDX element type 0x0E (float64) at offset 2; only 0x08 (unsigned byte) and, for label files, 0x0C (int32)", p => IdxReader.ReadLabels(p));
    }

    [Fact]
    public async Task Read_UnknownType_ListsKnownTypes()
    {
        byte[] bytes = [.. IdxTestFiles.Header(0x07, 1), 5];
        var path = _files.Write("unknown.idx", bytes);

        await AssertFailsAsync(path, "unknown IDX element type 0x07 at offset 2", ReadAny);
    }

    [Fact]
    public async Task Read_ZeroDimensions_Rejected()
    {
        var path = _files.Write("nodims.idx", [0, 0, 8, 0, 1, 2]);

        await AssertFailsAsync(path, "declares 0 dimensions; an IDX file has 1 to 8", ReadAny);
    }

    [Fact]
    public async Task Read_HeaderCutInsideDimensions_SaysHeader()
    {
        var path = _files.Write("cut-header.idx", [0, 0, 8, 3, 0, 0, 0, 10, 0, 0]);

        await AssertFailsAsync(path, "ends at offset 10, inside the header (3 dimension sizes need 16 bytes)", ReadAny);
    }

    [Fact]
    public async Task Read_RawDataTooShort_CountsMissingBytes()
    {
        var bytes = IdxTestFiles.UnsignedBytes(new byte[10 * 4 * 4 - 5], 10, 4, 4);
        var path = _files.Write("short-data.idx", bytes);

        await AssertFailsAsync(path, "dimensions 10×4×4 claim 160 data bytes after the 16-byte header but the file has 155 (truncated at offset 171, 5 bytes missing)", ReadAny);
    }

    [Fact]
    public async Task Read_RawDataTooLong_CountsExtraBytes()
    {
        var bytes = IdxTestFiles.UnsignedBytes(new byte[7], 5);
        var path = _files.Write("long-data.idx", bytes);

        await AssertFailsAsync(path, "dimensions 5 claim 5 data bytes after the 8-byte header but the file has 7 (2 extra bytes from offset 13)", ReadAny);
    }

    [Fact]
    public async Task Read_GzipDataTooShort_SaysWhereItEnds()
    {
        var path = _files.Write("short-data.gz", IdxTestFiles.Gzip(IdxTestFiles.UnsignedBytes(new byte[100], 200)));

        await AssertFailsAsync(path, "data ends at decompressed offset 108 but dimensions 200 claim 200 bytes after the 8-byte header (100 missing", ReadAny);
    }

    [Fact]
    public async Task Read_GzipDataTooLong_SaysWhereItShouldEnd()
    {
        var path = _files.Write("long-data.gz", IdxTestFiles.Gzip(IdxTestFiles.UnsignedBytes(new byte[300], 200)));

        await AssertFailsAsync(path, "decompressed data goes on past decompressed offset 208, where dimensions 200 say it ends", ReadAny);
    }

    [Fact]
    public async Task Read_TruncatedGzip_FailsWithOffsetOrGzipError()
    {
        var random = new Random(5);
        var payload = new byte[20_000];
        random.NextBytes(payload); // incompressible, so the cut falls inside the data
        var gz = IdxTestFiles.Gzip(IdxTestFiles.UnsignedBytes(payload, 100, 200));
        var path = _files.Write("truncated.gz", gz[..(gz.Length / 2)]);

        await AssertFailsAsync(path, "data ends at decompressed offset", ReadAny);
    }

    [Fact]
    public async Task Read_GarbageAfterGzipMagic_CorruptGzip()
    {
        byte[] bytes = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        var path = _files.Write("garbage.gz", bytes);

        await AssertFailsAsync(path, "corrupt gzip stream: ", ReadAny);
    }

    [Fact]
    public async Task Read_RawHugeDims_FailsBeforeAllocating()
    {
        // Claims 1,000,000 × 28 × 28 = 784 MB in a 40-byte file.
        var bytes = IdxTestFiles.UnsignedBytes(new byte[24], 1_000_000, 28, 28);
        var path = _files.Write("huge.idx", bytes);

        var allocated = await AssertFailsAsync(path, "claim 784000000 data bytes after the 16-byte header but the file has 24", ReadImages);

        Assert.True(allocated < 256 * 1024, $"the failed read allocated {allocated} bytes");
    }

    [Fact]
    public async Task Read_GzipHugeDims_FailsBeforeAllocating()
    {
        // 100,000 × 28 × 28 = 78.4 MB cannot come out of a file of a few dozen bytes (deflate ≤ 1032:1).
        var bytes = IdxTestFiles.Gzip(IdxTestFiles.UnsignedBytes(new byte[10], 100_000, 28, 28));
        var path = _files.Write("huge.gz", bytes);

        var allocated = await AssertFailsAsync(path, $"dimensions 100000×28×28 claim 78400000 data bytes but a {bytes.Length}-byte gzip file expands to at most {bytes.Length * 1032}", ReadImages);

        Assert.True(allocated < 256 * 1024, $"the failed read allocated {allocated} bytes");
    }

    [Fact]
    public async Task Read_DimsOverflowArray_FailsBeforeAllocating()
    {
        var bytes = IdxTestFiles.UnsignedBytes(new byte[4], 2_000_000_000, 2_000_000_000, 4);
        var path = _files.Write("overflow.idx", bytes);

        var allocated = await AssertFailsAsync(path, $"dimensions 2000000000×2000000000×4 claim more than {Array.MaxLength} bytes, the largest array", ReadAny);

        Assert.True(allocated < 256 * 1024, $"the failed read allocated {allocated} bytes");
    }

    [Fact]
    public async Task Read_DimensionAboveInt32_NamesDimensionAndOffset()
    {
        var bytes = IdxTestFiles.UnsignedBytes([1], 1, 0x8000_0000u);
        var path = _files.Write("bigdim.idx", bytes);

        await AssertFailsAsync(path, "dimension 1 at offset 8 is 2147483648, more than 2147483647", ReadAny);
    }

    [Fact]
    public async Task MnistFamilyLoad_CountsDiffer_NamesBothFiles()
    {
        var images = _files.Write("img.idx", IdxTestFiles.UnsignedBytes(new byte[3 * 4], 3, 2, 2));
        var labels = _files.Write("lab.idx", IdxTestFiles.UnsignedBytes([1, 2], 2));

        var ex = await Task.Run(() => Assert.Throws<InvalidDataException>(() => MnistFamily.Load(images, labels)));

        Assert.Equal($"{images} holds 3 images but {labels} holds 2 labels; they must match", ex.Message);
    }
}
