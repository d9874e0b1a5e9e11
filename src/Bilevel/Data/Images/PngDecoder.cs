using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Bilevel.Data.Images;

/// <summary>
/// A small, strict decoder for non-interlaced PNG files (PNG specification, 2nd edition, W3C/ISO 15948): greyscale at
/// bit depths 1 and 8 (colour type 0), and truecolour (2), greyscale + alpha (4) and truecolour + alpha (6) at bit
/// depth 8. It checks the signature, the length and CRC-32 of every chunk, that IHDR comes first and is valid, that
/// IDAT chunks are consecutive, that their concatenated zlib stream (Adler-32 included) inflates to exactly
/// height·(1 + bytes per row) bytes, that every row's filter type is 0–4, and that IEND ends the file. Unknown critical
/// chunks are rejected; ancillary chunks (tIME, tEXt, gAMA, …) are CRC-checked and skipped, as is PLTE (a suggested
/// palette) for truecolour images. Every failure is an <see cref="InvalidDataException"/> with one line naming the
/// source, the byte offset or chunk, and the problem.
/// </summary>
/// <remarks>
/// Allocation is bounded by what the file holds, not by what its header claims: the pixel count is checked against
/// <see cref="MaxPixelBytes"/> first, and the inflate buffer starts near the compressed size and doubles only while
/// data keeps arriving, up to the expected size + 1 (so a truncated or over-long stream is detected without reading
/// an unbounded amount).
/// </remarks>
public static class PngDecoder
{
    /// <summary>Largest accepted width or height (2^24).</summary>
    public const int MaxDimension = 1 << 24;

    /// <summary>Largest accepted decoded image, width·height·channels bytes (2^28 = 256 MiB).</summary>
    public const long MaxPixelBytes = 1L << 28;

    /// <summary>Largest accepted file (256 MiB) for <see cref="Decode(Stream, string)"/>.</summary>
    public const int MaxFileBytes = 1 << 28;

    private const int SignatureLength = 8;

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the rest of <paramref name="stream"/> (at most <see cref="MaxFileBytes"/>) and decodes it.</summary>
    public static PngImage Decode(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Decode(ReadBounded(stream, sourceName), sourceName);
    }

    /// <summary>Decodes a whole PNG file held in <paramref name="data"/>; <paramref name="sourceName"/> names it in errors.</summary>
    public static PngImage Decode(ReadOnlySpan<byte> data, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        CheckSignature(data, sourceName);

        Header? header = null;
        var idat = new List<(int Offset, int Length)>();
        long idatTotal = 0;
        var idatClosed = false;
        var pos = SignatureLength;
        var iendOffset = -1;
        while (iendOffset < 0)
        {
            if (pos == data.Length)
            {
                throw Fail(sourceName, pos, "file ends without an IEND chunk");
            }

            if (data.Length - pos < 12)
            {
                throw Fail(sourceName, pos, $"truncated chunk: {data.Length - pos} bytes left, a chunk needs at least 12 (length, type, CRC)");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var typeBytes = data.Slice(pos + 4, 4);
            var type = ChunkName(typeBytes);
            if (!IsAsciiLetters(typeBytes))
            {
                throw Fail(sourceName, pos + 4, $"invalid chunk type {type} (chunk types are four ASCII letters)");
            }

            if (length > int.MaxValue)
            {
                throw FailChunk(sourceName, type, pos, $"length {length} exceeds the PNG limit 2^31 − 1");
            }

            var available = data.Length - pos - 12;
            if (length > available)
            {
                throw FailChunk(sourceName, type, pos, $"truncated chunk: it claims {length} data bytes but the file has {available} left before the CRC");
            }

            var bodyLength = (int)length;
            var body = data.Slice(pos + 8, bodyLength);
            var stored = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + bodyLength)..]);
            var computed = Crc32.Compute(data.Slice(pos + 4, 4 + bodyLength));
            if (stored != computed)
            {
                throw FailChunk(sourceName, type, pos, $"CRC-32 mismatch (stored 0x{stored:X8}, computed 0x{computed:X8})");
            }

            if (header is null && type != "IHDR")
            {
                throw FailChunk(sourceName, type, pos, "the first chunk must be IHDR");
            }

            if (type != "IDAT" && idat.Count > 0)
            {
                idatClosed = true;
            }

            switch (type)
            {
                case "IHDR":
                    if (header is not null)
                    {
                        throw FailChunk(sourceName, type, pos, "duplicate IHDR");
                    }

                    header = ParseHeader(body, sourceName, pos);
                    break;
                case "IDAT":
                    if (idatClosed)
                    {
                        throw FailChunk(sourceName, type, pos, "IDAT chunks must be consecutive, but another chunk came between them");
                    }

                    idat.Add((pos + 8, bodyLength));
                    idatTotal += bodyLength;
                    break;
                case "PLTE":
                    if (header!.ColorType is PngColorType.Grey or PngColorType.GreyAlpha)
                    {
                        throw FailChunk(sourceName, type, pos, $"PLTE must not appear in a {header.ColorType} image");
                    }

                    if (idat.Count > 0)
                    {
                        throw FailChunk(sourceName, type, pos, "PLTE must come before the first IDAT");
                    }

                    break; // a suggested palette for a truecolour image: not needed to decode
                case "IEND":
                    if (bodyLength != 0)
                    {
                        throw FailChunk(sourceName, type, pos, $"IEND must be empty, it holds {bodyLength} bytes");
                    }

                    iendOffset = pos;
                    break;
                default:
                    if ((typeBytes[0] & 0x20) == 0)
                    {
                        throw FailChunk(sourceName, type, pos, "unknown critical chunk (this decoder cannot skip it)");
                    }

                    break; // ancillary: skipped
            }

            pos += 12 + bodyLength;
        }

        if (pos != data.Length)
        {
            throw Fail(sourceName, pos, $"{data.Length - pos} bytes of data after the IEND chunk");
        }

        if (idat.Count == 0)
        {
            throw FailChunk(sourceName, "IEND", iendOffset, "no IDAT chunk before IEND");
        }

        var compressed = new byte[idatTotal];
        var filled = 0;
        foreach (var (offset, length) in idat)
        {
            data.Slice(offset, length).CopyTo(compressed.AsSpan(filled));
            filled += length;
        }

        var h = header!;
        var firstIdat = idat[0].Offset - 8;
        var scanlines = Inflate(compressed, h, sourceName, firstIdat);
        Unfilter(scanlines, h, sourceName, firstIdat);
        return new PngImage(h.Width, h.Height, h.ColorType, h.BitDepth, Unpack(scanlines, h));
    }

    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Modulus = 65521;
        const int Block = 5552; // largest n with 255·n·(n + 1)/2 + (n + 1)·(Modulus − 1) < 2^32
        uint a = 1, b = 0;
        while (!data.IsEmpty)
        {
            var n = Math.Min(Block, data.Length);
            foreach (var x in data[..n])
            {
                a += x;
                b += a;
            }

            a %= Modulus;
            b %= Modulus;
            data = data[n..];
        }

        return (b << 16) | a;
    }

    private static void CheckSignature(ReadOnlySpan<byte> data, string source)
    {
        var n = Math.Min(data.Length, SignatureLength);
        for (var i = 0; i < n; i++)
        {
            if (data[i] != Signature[i])
            {
                throw Fail(source, i, $"not a PNG file: signature byte is 0x{data[i]:X2}, expected 0x{Signature[i]:X2} (signature 89 50 4E 47 0D 0A 1A 0A)");
            }
        }

        if (data.Length < SignatureLength)
        {
            throw Fail(source, data.Length, $"file is {data.Length} bytes, shorter than the 8-byte PNG signature");
        }
    }

    private static Header ParseHeader(ReadOnlySpan<byte> body, string source, int chunkOffset)
    {
        if (body.Length != 13)
        {
            throw FailChunk(source, "IHDR", chunkOffset, $"IHDR holds {body.Length} bytes, expected 13");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(body);
        var height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        int bitDepth = body[8], colorType = body[9], compression = body[10], filter = body[11], interlace = body[12];
        CheckDimension(width, "width", source, chunkOffset);
        CheckDimension(height, "height", source, chunkOffset);

        var allowed = colorType switch
        {
            0 => new[] { 1, 2, 4, 8, 16 },
            2 or 4 or 6 => [8, 16],
            3 => [1, 2, 4, 8],
            _ => throw FailChunk(source, "IHDR", chunkOffset, $"invalid colour type {colorType} (PNG allows 0, 2, 3, 4, 6)"),
        };
        var color = (PngColorType)colorType;
        if (Array.IndexOf(allowed, bitDepth) < 0)
        {
            throw FailChunk(source, "IHDR", chunkOffset, $"invalid bit depth {bitDepth} for colour type {colorType} ({color}); PNG allows {string.Join(", ", allowed)}");
        }

        var supported = color == PngColorType.Grey ? bitDepth is 1 or 8 : color != PngColorType.Palette && bitDepth == 8;
        if (!supported)
        {
            throw FailChunk(
                source,
                "IHDR",
                chunkOffset,
                $"unsupported bit depth {bitDepth} with colour type {colorType} ({color}); this decoder reads greyscale at 1 or 8 bits and RGB, grey + alpha and RGBA at 8 bits");
        }

        if (compression != 0)
        {
            throw FailChunk(source, "IHDR", chunkOffset, $"unknown compression method {compression} (PNG defines only 0, zlib deflate)");
        }

        if (filter != 0)
        {
            throw FailChunk(source, "IHDR", chunkOffset, $"unknown filter method {filter} (PNG defines only 0)");
        }

        if (interlace == 1)
        {
            throw FailChunk(source, "IHDR", chunkOffset, "Adam7-interlaced images (interlace method 1) are not supported; re-save the file without interlacing");
        }

        if (interlace != 0)
        {
            throw FailChunk(source, "IHDR", chunkOffset, $"invalid interlace method {interlace} (PNG defines 0 and 1)");
        }

        var channels = PngImage.ChannelCount(color);
        var pixelBytes = (long)width * height * channels;
        if (pixelBytes > MaxPixelBytes)
        {
            throw FailChunk(
                source,
                "IHDR",
                chunkOffset,
                $"{width}×{height} pixels × {channels} channels = {pixelBytes} bytes exceeds the decoder's limit of {MaxPixelBytes} bytes");
        }

        return new Header((int)width, (int)height, bitDepth, color, channels);
    }

    private static void CheckDimension(uint value, string name, string source, int chunkOffset)
    {
        if (value == 0)
        {
            throw FailChunk(source, "IHDR", chunkOffset, $"{name} is 0");
        }

        if (value > MaxDimension)
        {
            throw FailChunk(source, "IHDR", chunkOffset, $"{name} {value} exceeds the decoder's limit of 2^24 = {MaxDimension}");
        }
    }

    private static byte[] Inflate(byte[] compressed, Header h, string source, int firstIdat)
    {
        var expected = h.ScanlineBytes;
        if (compressed.Length < 7)
        {
            throw FailChunk(source, "IDAT", firstIdat, $"IDAT data holds {compressed.Length} bytes, too few for a zlib stream (header, deflate data, Adler-32)");
        }

        // Bounded read: stop at expected + 1 bytes, so an over-long stream is detected without inflating all of it.
        // The buffer starts at about twice the compressed size and doubles only while data keeps coming.
        var limit = expected + 1L;
        var buffer = new byte[Math.Min(limit, Math.Max(4096L, 2L * compressed.Length))];
        var got = 0;
        using (var zlib = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress))
        {
            while (got < limit)
            {
                if (got == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(limit, 2L * buffer.Length));
                }

                int n;
                try
                {
                    n = zlib.Read(buffer, got, buffer.Length - got);
                }
                catch (InvalidDataException e)
                {
                    throw FailChunk(source, "IDAT", firstIdat, $"corrupt zlib stream (bad header, deflate data or Adler-32 checksum); the inflater reports \"{OneLine(e.Message)}\"");
                }

                if (n == 0)
                {
                    break;
                }

                got += n;
            }
        }

        var layout = $"{h.Height}·(1 + {h.RowBytes}) = {expected} bytes for {h.Width}×{h.Height} at {h.BitsPerPixel} bits per pixel";
        if (got > expected)
        {
            throw FailChunk(source, "IDAT", firstIdat, $"image data too long: it inflates to more than {layout}");
        }

        if (got < expected)
        {
            throw FailChunk(source, "IDAT", firstIdat, $"image data too short: it inflates to {got} bytes, expected {layout}");
        }

        var stored = BinaryPrimitives.ReadUInt32BigEndian(compressed.AsSpan(compressed.Length - 4));
        var computed = Adler32(buffer.AsSpan(0, expected));
        if (stored != computed)
        {
            throw FailChunk(source, "IDAT", firstIdat, $"zlib Adler-32 mismatch (last 4 IDAT bytes 0x{stored:X8}, computed 0x{computed:X8}): truncated stream or bytes after it");
        }

        return buffer;
    }

    private static void Unfilter(byte[] scanlines, Header h, string source, int firstIdat)
    {
        var rowBytes = h.RowBytes;
        var stride = rowBytes + 1;
        var bpp = Math.Max(1, h.BitsPerPixel / 8);
        var zero = new byte[rowBytes];
        for (var r = 0; r < h.Height; r++)
        {
            var start = r * stride;
            var filter = scanlines[start];
            var row = scanlines.AsSpan(start + 1, rowBytes);
            ReadOnlySpan<byte> prior = r == 0 ? zero : scanlines.AsSpan(start - stride + 1, rowBytes);
            switch (filter)
            {
                case 0:
                    break;
                case 1: // Sub: Recon(x) = Filt(x) + Recon(a)
                    for (var i = bpp; i < row.Length; i++)
                    {
                        row[i] = (byte)(row[i] + row[i - bpp]);
                    }

                    break;
                case 2: // Up: Recon(x) = Filt(x) + Recon(b)
                    for (var i = 0; i < row.Length; i++)
                    {
                        row[i] = (byte)(row[i] + prior[i]);
                    }

                    break;
                case 3: // Average: Recon(x) = Filt(x) + floor((Recon(a) + Recon(b)) / 2), without overflow
                    for (var i = 0; i < row.Length; i++)
                    {
                        var a = i >= bpp ? row[i - bpp] : 0;
                        row[i] = (byte)(row[i] + ((a + prior[i]) >> 1));
                    }

                    break;
                case 4: // Paeth: Recon(x) = Filt(x) + PaethPredictor(Recon(a), Recon(b), Recon(c))
                    for (var i = 0; i < row.Length; i++)
                    {
                        int a = 0, c = 0;
                        if (i >= bpp)
                        {
                            a = row[i - bpp];
                            c = prior[i - bpp];
                        }

                        row[i] = (byte)(row[i] + Paeth(a, prior[i], c));
                    }

                    break;
                default:
                    throw FailChunk(source, "IDAT", firstIdat, $"row {r} (inflated byte {start}): invalid filter type {filter}, expected 0–4 (None, Sub, Up, Average, Paeth)");
            }
        }
    }

    /// <summary>The Paeth predictor of PNG §9.4: the neighbour (left, up, upper-left) closest to left + up − upper-left.</summary>
    internal static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static byte[] Unpack(byte[] scanlines, Header h)
    {
        var pixels = new byte[h.Width * h.Height * h.Channels];
        var stride = h.RowBytes + 1;
        if (h.BitDepth == 8)
        {
            var rowSamples = h.Width * h.Channels;
            for (var r = 0; r < h.Height; r++)
            {
                scanlines.AsSpan((r * stride) + 1, rowSamples).CopyTo(pixels.AsSpan(r * rowSamples));
            }

            return pixels;
        }

        // 1-bit greyscale: most significant bit first; 1 scales to 255 (PNG §12.4). Padding bits are ignored.
        for (var r = 0; r < h.Height; r++)
        {
            var src = (r * stride) + 1;
            var dst = r * h.Width;
            for (var x = 0; x < h.Width; x++)
            {
                var bit = (scanlines[src + (x >> 3)] >> (7 - (x & 7))) & 1;
                pixels[dst + x] = (byte)(bit * 255);
            }
        }

        return pixels;
    }

    private static byte[] ReadBounded(Stream stream, string source)
    {
        if (stream.CanSeek)
        {
            var remaining = stream.Length - stream.Position;
            if (remaining > MaxFileBytes)
            {
                throw Fail(source, 0, $"file is {remaining} bytes, more than the decoder's limit of {MaxFileBytes} bytes");
            }
        }

        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (copy.Length + n > MaxFileBytes)
            {
                throw Fail(source, copy.Length + n, $"file is longer than the decoder's limit of {MaxFileBytes} bytes");
            }

            copy.Write(chunk, 0, n);
        }

        return copy.ToArray();
    }

    private static bool IsAsciiLetters(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (!((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')))
            {
                return false;
            }
        }

        return true;
    }

    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        var sb = new StringBuilder(4);
        foreach (var b in type)
        {
            sb.Append(b is >= 0x21 and <= 0x7E ? (char)b : '?');
        }

        return IsAsciiLetters(type) ? sb.ToString() : $"\"{sb}\" (bytes {Convert.ToHexString(type)})";
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static InvalidDataException Fail(string source, long offset, string problem) =>
        new($"{source}: byte {offset}: {problem}");

    private static InvalidDataException FailChunk(string source, string type, long offset, string problem) =>
        new($"{source}: chunk {type} at byte {offset}: {problem}");

    private sealed record Header(int Width, int Height, int BitDepth, PngColorType ColorType, int Channels)
    {
        public int BitsPerPixel => BitDepth * Channels;

        /// <summary>Bytes per scanline without the filter byte: ceil(width·bits per pixel / 8).</summary>
        public int RowBytes => (int)((((long)Width * BitsPerPixel) + 7) / 8);

        /// <summary>height·(1 + RowBytes): the exact inflated length.</summary>
        public int ScanlineBytes => (int)((long)Height * (1 + RowBytes));
    }
}
