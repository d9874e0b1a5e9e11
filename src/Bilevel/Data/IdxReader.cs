using System.Buffers.Binary;
using System.IO.Compression;

namespace Bilevel.Data;

/// <summary>Element types of the IDX format (LeCun et al., "THE MNIST DATABASE", file-format section): the third byte of the magic number.</summary>
public enum IdxElementType : byte
{
    /// <summary>0x08: unsigned byte, the type of every MNIST, Fashion-MNIST and KMNIST file.</summary>
    UnsignedByte = 0x08,

    /// <summary>0x09: signed byte (not supported).</summary>
    SignedByte = 0x09,

    /// <summary>0x0B: big-endian 16-bit integer (not supported).</summary>
    Int16BigEndian = 0x0B,

    /// <summary>0x0C: big-endian 32-bit integer; supported for label files only (QMNIST's <c>idx2-int</c> labels).</summary>
    Int32BigEndian = 0x0C,

    /// <summary>0x0D: big-endian IEEE float32 (not supported).</summary>
    Float32BigEndian = 0x0D,

    /// <summary>0x0E: big-endian IEEE float64 (not supported).</summary>
    Float64BigEndian = 0x0E,
}

/// <summary>The decoded content of an IDX file: element type, dimensions and the raw (big-endian) payload.</summary>
public sealed class IdxArray
{
    internal IdxArray(IdxElementType elementType, int[] dimensions, int headerLength, byte[] data)
    {
        ElementType = elementType;
        Dimensions = dimensions;
        HeaderLength = headerLength;
        Data = data;
    }

    /// <summary>The element type from the magic number.</summary>
    public IdxElementType ElementType { get; }

    /// <summary>The dimension sizes, outermost first (N, rows, columns for an image file).</summary>
    public int[] Dimensions { get; }

    /// <summary>Bytes before the payload: 4 (magic) + 4 per dimension.</summary>
    public int HeaderLength { get; }

    /// <summary>The payload exactly as stored (big-endian for multi-byte types); its length is the product of the dimensions times the element size.</summary>
    public byte[] Data { get; }

    /// <summary>The number of elements (product of the dimensions).</summary>
    public int ElementCount => Data.Length / IdxReader.ElementSize(ElementType);
}

/// <summary>The pixels of an IDX image file (N×rows×columns unsigned bytes) scaled to [0, 1] by <c>pixel / 255</c>, row-major per image.</summary>
public sealed class IdxImages
{
    internal IdxImages(float[] pixels, int count, int rows, int columns)
    {
        Pixels = pixels;
        Count = count;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>All pixels, image after image, each image row-major; length Count·Rows·Columns.</summary>
    public float[] Pixels { get; }

    /// <summary>The number of images N.</summary>
    public int Count { get; }

    /// <summary>Rows per image.</summary>
    public int Rows { get; }

    /// <summary>Columns per image.</summary>
    public int Columns { get; }
}

/// <summary>
/// Reads IDX files, the format of MNIST (LeCun, Cortes &amp; Burges), Fashion-MNIST (Xiao et al. 2017), KMNIST and
/// QMNIST (Yadav &amp; Bottou 2019), either raw or gzip-compressed (detected by the 1f 8b magic, not by the name).
/// </summary>
/// <remarks>
/// <para>Layout: magic <c>00 00 TT NN</c> (TT the element type, NN the number of dimensions), NN big-endian
/// 32-bit dimension sizes, then the elements in row-major order. Only unsigned bytes (0x08) are read, plus
/// big-endian int32 (0x0C) in label files, for QMNIST's <c>idx2-int</c> labels; every other type is rejected with
/// a message that names it.</para>
/// <para>Safety: the claimed payload size is computed from the header (overflow-checked, at most
/// <see cref="Array.MaxLength"/> bytes) and checked before the payload buffer is allocated. For a raw file it must
/// equal the file length minus the header exactly. For a gzip file it must be possible at all (deflate expands at
/// most <see cref="MaxDeflateRatio"/>:1, so a tiny file claiming huge dimensions fails at once), and the stream is
/// read for at most claimed + 1 bytes: a stream that ends early or has bytes left over is an error. The reader
/// allocates the payload (claimed size) plus a few fixed buffers; the typed loaders then allocate their output.
/// Every problem is one line of <see cref="InvalidDataException"/> naming the file, the offset (in the
/// decompressed stream for gzip files) and the problem.</para>
/// </remarks>
public static class IdxReader
{
    /// <summary>The largest expansion factor of deflate (zlib technical details: 1032:1).</summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>The most dimensions a header may declare.</summary>
    public const int MaxDimensions = 8;

    /// <summary>Bytes per element of a type, or 0 for a byte that is no IDX type.</summary>
    public static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte or IdxElementType.SignedByte => 1,
        IdxElementType.Int16BigEndian => 2,
        IdxElementType.Int32BigEndian or IdxElementType.Float32BigEndian => 4,
        IdxElementType.Float64BigEndian => 8,
        _ => 0,
    };

    /// <summary>Reads an unsigned-byte (0x08) IDX file of any shape.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed or of another element type.</exception>
    public static IdxArray Read(string path) => Read(path, allowInt32: false);

    /// <summary>Reads an image file, N×rows×columns unsigned bytes, scaled to [0, 1] by <c>pixel / 255</c>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, not unsigned bytes or not three-dimensional.</exception>
    public static IdxImages ReadImages(string path)
    {
        var idx = Read(path, allowInt32: false);
        if (idx.Dimensions.Length != 3)
        {
            throw new InvalidDataException(
                $"{path}: an image file needs 3 dimensions (N×rows×columns) but the header at offset 3 declares {idx.Dimensions.Length} ({FormatDims(idx.Dimensions)})");
        }

        var lookup = new float[256];
        for (var v = 0; v < 256; v++)
        {
            lookup[v] = v / 255f;
        }

        var bytes = idx.Data;
        var pixels = new float[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            pixels[i] = lookup[bytes[i]];
        }

        return new IdxImages(pixels, idx.Dimensions[0], idx.Dimensions[1], idx.Dimensions[2]);
    }

    /// <summary>
    /// Reads a label file: N unsigned bytes (idx1-ubyte), N big-endian int32 (0x0C), or QMNIST's N×8 int32
    /// <c>idx2-int</c> table, of which column 0 (the digit class) is returned.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="classCount">When given, every label must lie in [0, classCount).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is malformed, of another type or shape, or holds a label outside the range.</exception>
    public static int[] ReadLabels(string path, int? classCount = null)
    {
        var idx = Read(path, allowInt32: true);
        var dims = idx.Dimensions;
        int[] labels;
        int stride;
        if (idx.ElementType == IdxElementType.UnsignedByte)
        {
            if (dims.Length != 1)
            {
                throw new InvalidDataException(
                    $"{path}: an unsigned-byte label file needs 1 dimension (N) but the header at offset 3 declares {dims.Length} ({FormatDims(dims)})");
            }

            stride = 1;
            labels = new int[dims[0]];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = idx.Data[i];
            }
        }
        else
        {
            if (dims.Length != 1 && dims.Length != 2)
            {
                throw new InvalidDataException(
                    $"{path}: an int32 label file needs 1 dimension (N) or 2 (N×columns, QMNIST) but the header at offset 3 declares {dims.Length} ({FormatDims(dims)})");
            }

            var columns = dims.Length == 2 ? dims[1] : 1;
            if (columns == 0)
            {
                throw new InvalidDataException($"{path}: an int32 label table with 0 columns ({FormatDims(dims)}) has no class column");
            }

            stride = 4 * columns;
            labels = new int[dims[0]];
            for (var i = 0; i < labels.Length; i++)
            {
                labels[i] = BinaryPrimitives.ReadInt32BigEndian(idx.Data.AsSpan(i * stride, 4));
            }
        }

        if (classCount is int c)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                if ((uint)labels[i] >= (uint)c)
                {
                    throw new InvalidDataException(
                        $"{path}: label {labels[i]} of item {i} at offset {idx.HeaderLength + ((long)i * stride)} is outside 0–{c - 1}");
                }
            }
        }

        return labels;
    }

    internal static string FormatDims(int[] dims) => dims.Length == 0 ? "none" : string.Join('×', dims);

    private static IdxArray Read(string path, bool allowInt32)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: IDX file not found", path);
        }

        var fileLength = info.Length;
        if (fileLength == 0)
        {
            throw new InvalidDataException($"{path}: empty file (0 bytes); an IDX file starts with a 4-byte magic 00 00 type ndims");
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> start = stackalloc byte[2];
        var startLength = file.ReadAtLeast(start, 2, throwOnEndOfStream: false);
        var gzip = startLength == 2 && start[0] == 0x1f && start[1] == 0x8b;
        file.Position = 0;
        var where = gzip ? "decompressed offset" : "offset";
        try
        {
            if (gzip)
            {
                using var inflated = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
                return ReadStream(path, inflated, fileLength, gzip, where, allowInt32);
            }

            return ReadStream(path, file, fileLength, gzip, where, allowInt32);
        }
        catch (InvalidDataException ex) when (gzip && !ex.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: corrupt gzip stream: {FirstLine(ex.Message)}", ex);
        }
    }

    private static IdxArray ReadStream(string path, Stream stream, long fileLength, bool gzip, string where, bool allowInt32)
    {
        Span<byte> magic = stackalloc byte[4];
        var got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
        {
            throw new InvalidDataException($"{path}: ends at {where} {got}, inside the 4-byte IDX magic (00 00 type ndims)");
        }

        var magicValue = BinaryPrimitives.ReadUInt32BigEndian(magic);
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new InvalidDataException(
                $"{path}: wrong magic 0x{magicValue:X8} at {where} 0; an IDX file starts with 00 00 then the type byte and the number of dimensions (e.g. 0x00000803 for images)");
        }

        var type = (IdxElementType)magic[2];
        var elementSize = ElementSize(type);
        if (elementSize == 0)
        {
            throw new InvalidDataException(
                $"{path}: unknown IDX element type 0x{magic[2]:X2} at {where} 2 (magic 0x{magicValue:X8}); known types are 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E");
        }

        if (type != IdxElementType.UnsignedByte && !(allowInt32 && type == IdxElementType.Int32BigEndian))
        {
            var supported = allowInt32 ? "0x08 (unsigned byte) and, for label files, 0x0C (int32)" : "0x08 (unsigned byte)";
            throw new InvalidDataException(
                $"{path}: unsupported IDX element type 0x{magic[2]:X2} ({TypeName(type)}) at {where} 2; only {supported} can be read here");
        }

        int ndims = magic[3];
        if (ndims == 0 || ndims > MaxDimensions)
        {
            throw new InvalidDataException(
                $"{path}: the header at {where} 3 declares {ndims} dimensions; an IDX file has 1 to {MaxDimensions}");
        }

        var headerLength = 4 + (4 * ndims);
        Span<byte> dimBytes = stackalloc byte[4 * MaxDimensions];
        dimBytes = dimBytes[..(4 * ndims)];
        got = stream.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false);
        if (got < dimBytes.Length)
        {
            throw new InvalidDataException(
                $"{path}: ends at {where} {4 + got}, inside the header ({ndims} dimension sizes need {headerLength} bytes)");
        }

        var dims = new int[ndims];
        long claimedElements = 1;
        var maxElements = Array.MaxLength / elementSize;
        for (var d = 0; d < ndims; d++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.Slice(4 * d, 4));
            if (size > int.MaxValue)
            {
                throw new InvalidDataException($"{path}: dimension {d} at {where} {4 + (4 * d)} is {size}, more than {int.MaxValue}");
            }

            dims[d] = (int)size;
            claimedElements *= size;
            if (claimedElements > maxElements)
            {
                // Later dimensions could be 0, but then the file holds nothing worth this header; reject before any product overflows.
                throw new InvalidDataException(
                    $"{path}: dimensions {FormatHeaderDims(dimBytes, ndims)} claim more than {Array.MaxLength} bytes, the largest array; the header is wrong");
            }
        }

        var claimedBytes = claimedElements * elementSize;
        if (!gzip)
        {
            var present = fileLength - headerLength;
            if (present < claimedBytes)
            {
                throw new InvalidDataException(
                    $"{path}: dimensions {FormatDims(dims)} claim {claimedBytes} data bytes after the {headerLength}-byte header but the file has {present} (truncated at offset {fileLength}, {claimedBytes - present} bytes missing)");
            }

            if (present > claimedBytes)
            {
                throw new InvalidDataException(
                    $"{path}: dimensions {FormatDims(dims)} claim {claimedBytes} data bytes after the {headerLength}-byte header but the file has {present} ({present - claimedBytes} extra bytes from offset {headerLength + claimedBytes})");
            }
        }
        else if (headerLength + claimedBytes > fileLength * MaxDeflateRatio)
        {
            throw new InvalidDataException(
                $"{path}: dimensions {FormatDims(dims)} claim {claimedBytes} data bytes but a {fileLength}-byte gzip file expands to at most {fileLength * MaxDeflateRatio}; the header is wrong or the file truncated");
        }

        var data = new byte[claimedBytes];
        got = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got < data.Length)
        {
            throw new InvalidDataException(
                $"{path}: data ends at {where} {headerLength + got} but dimensions {FormatDims(dims)} claim {claimedBytes} bytes after the {headerLength}-byte header ({claimedBytes - got} missing: truncated file or wrong dimensions)");
        }

        if (gzip)
        {
            Span<byte> extra = stackalloc byte[1];
            if (stream.Read(extra) > 0)
            {
                throw new InvalidDataException(
                    $"{path}: decompressed data goes on past {where} {headerLength + claimedBytes}, where dimensions {FormatDims(dims)} say it ends (wrong dimensions or appended data)");
            }
        }

        return new IdxArray(type, dims, headerLength, data);
    }

    private static string FormatHeaderDims(ReadOnlySpan<byte> dimBytes, int ndims)
    {
        var parts = new string[ndims];
        for (var d = 0; d < ndims; d++)
        {
            parts[d] = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.Slice(4 * d, 4)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return string.Join('×', parts);
    }

    private static string TypeName(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte => "unsigned byte",
        IdxElementType.SignedByte => "signed byte",
        IdxElementType.Int16BigEndian => "int16",
        IdxElementType.Int32BigEndian => "int32",
        IdxElementType.Float32BigEndian => "float32",
        IdxElementType.Float64BigEndian => "float64",
        _ => "unknown",
    };

    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }
}
