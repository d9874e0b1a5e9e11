using Bilevel.Data;

namespace Bilevel.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static byte[] Ramp(int n)
    {
        var bytes = new byte[n];
        for (var i = 0; i < n; i++)
        {
            bytes[i] = (byte)(i * 7 % 256);
        }

        return bytes;
    }

    [Fact]
    public void Read_RawUnsignedBytes_DimensionsHeaderAndPayload()
    {
        var payload = Ramp(24);
        var path = _files.Write("a.idx", IdxTestFiles.UnsignedBytes(payload, 2, 3, 4));

        var idx = IdxReader.Read(path);

        Assert.Equal(IdxElementType.UnsignedByte, idx.ElementType);
        Assert.Equal([2, 3, 4], idx.Dimensions);
        Assert.Equal(16, idx.HeaderLength);
        Assert.Equal(24, idx.ElementCount);
        Assert.Equal(payload, idx.Data);
    }

    [Fact]
    public void Read_GzipDetectedByMagicNotName_SameAsRaw()
    {
        var content = IdxTestFiles.UnsignedBytes(Ramp(60), 5, 12);
        var gz = _files.Write("no-extension", IdxTestFiles.Gzip(content));
        var raw = _files.Write("raw-but-named.gz", content);

        var fromGzip = IdxReader.Read(gz);
        var fromRaw = IdxReader.Read(raw);

        Assert.Equal([5, 12], fromGzip.Dimensions);
        Assert.Equal(fromRaw.Data, fromGzip.Data);
        Assert.Equal(Ramp(60), fromGzip.Data);
    }

    [Fact]
    public void Read_ZeroItems_EmptyPayload()
    {
        var path = _files.Write("empty-set.idx", IdxTestFiles.UnsignedBytes([], 0, 28, 28));

        var idx = IdxReader.Read(path);

        Assert.Equal([0, 28, 28], idx.Dimensions);
        Assert.Empty(idx.Data);
    }

    [Fact]
    public void ReadImages_Bytes_ScaledByOver255()
    {
        byte[] payload = [0, 255, 51, 128, 1, 254];
        var path = _files.Write("img.idx.gz", IdxTestFiles.Gzip(IdxTestFiles.UnsignedBytes(payload, 3, 1, 2)));

        var images = IdxReader.ReadImages(path);

        Assert.Equal((3, 1, 2), (images.Count, images.Rows, images.Columns));
        Assert.Equal([0f, 1f, 0.2f, 128f / 255f, 1f / 255f, 254f / 255f], images.Pixels);
    }

    [Fact]
    public void ReadLabels_UnsignedBytes_AsInts()
    {
        var path = _files.Write("labels.idx", IdxTestFiles.UnsignedBytes([3, 0, 9, 255], 4));

        Assert.Equal([3, 0, 9, 255], IdxReader.ReadLabels(path));
    }

    [Fact]
    public void ReadLabels_Int32Vector_BigEndianValues()
    {
        var path = _files.Write("labels-int.idx", IdxTestFiles.Int32s([7, 0, 123456, -2], 4));

        Assert.Equal([7, 0, 123456, -2], IdxReader.ReadLabels(path));
    }

    [Fact]
    public void ReadLabels_QmnistIdx2Int_ReturnsClassColumn()
    {
        // QMNIST rows: class, NIST HSF series, writer id, digit index, …, 8 int32 per image.
        int[] table =
        [
            5, 4, 2345, 17, 0, 0, 0, 0,
            0, 7, 3110, 3, 1, 0, 0, 0,
            9, 1, 2004, 95, 0, 1, 0, 0,
        ];
        var path = _files.Write("qmnist-labels-idx2-int.gz", IdxTestFiles.Gzip(IdxTestFiles.Int32s(table, 3, 8)));

        Assert.Equal([5, 0, 9], IdxReader.ReadLabels(path, classCount: 10));
    }

    [Fact]
    public void ReadLabels_Int32OutOfRange_MessageNamesItemAndOffset()
    {
        var path = _files.Write("qmnist-bad.idx", IdxTestFiles.Int32s([1, 0, 0, 0, 12, 0, 0, 0], 2, 4));

        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path, classCount: 10));

        // Header 4 + 2·4 = 12 bytes; item 1 starts at 12 + 1·16 = 28.
        Assert.Equal($"{path}: label 12 of item 1 at offset 28 is outside 0–9", ex.Message);
    }

    [Fact]
    public void ReadLabels_UnsignedByteOutOfRange_MessageNamesItemAndOffset()
    {
        var path = _files.Write("labels.idx", IdxTestFiles.UnsignedBytes([3, 4, 10, 1], 4));

        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path, classCount: 10));

        Assert.Equal($"{path}: label 10 of item 2 at offset 10 is outside 0–9", ex.Message);
    }

    [Fact]
    public void ReadImages_LabelFile_RejectsRank()
    {
        var path = _files.Write("labels.idx", IdxTestFiles.UnsignedBytes([1, 2, 3], 3));

        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("an image file needs 3 dimensions (N×rows×columns)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("declares 1 (3)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadLabels_ImageFile_RejectsRank()
    {
        var path = _files.Write("img.idx", IdxTestFiles.UnsignedBytes(Ramp(8), 2, 2, 2));

        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("needs 1 dimension (N) but the header at offset 3 declares 3 (2×2×2)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadImages_Int32File_RejectedAsUnsupported()
    {
        var path = _files.Write("int-images.idx", IdxTestFiles.Int32s([1, 2, 3, 4], 1, 2, 2));

        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Equal($"{path}: unsupported IDX element type 0x0C (int32) at offset 2; only 0x08 (unsigned byte) can be read here", ex.Message);
    }

    [Fact]
    public void Read_MissingFile_FileNotFound()
    {
        var path = Path.Combine(_files.Folder, "absent.idx");

        var ex = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));

        Assert.Equal(path, ex.FileName);
    }
}
