using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Bilevel.Data.Images;

namespace Bilevel.Tests.Data.Images;

/// <summary>
/// A tiny PNG encoder for tests: chunks with CRC-32, zlib via <see cref="ZLibStream"/>, and the five forward filters
/// written directly from the PNG specification (§9.2, §9.4) on the original (unfiltered) bytes.
/// </summary>
internal static class TestPng
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Length (big-endian), type, data, CRC-32 over type and data.</summary>
    public static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    public static byte[] Ihdr(uint width, uint height, byte bitDepth, byte colorType, byte interlace = 0, byte compression = 0, byte filter = 0)
    {
        var data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = bitDepth;
        data[9] = colorType;
        data[10] = compression;
        data[11] = filter;
        data[12] = interlace;
        return Chunk("IHDR", data);
    }

    public static byte[] Iend() => Chunk("IEND", []);

    public static byte[] Zlib(ReadOnlySpan<byte> raw)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }

        return output.ToArray();
    }

    /// <summary>Signature followed by the given chunks.</summary>
    public static byte[] Assemble(params byte[][] chunks)
    {
        var total = Signature.Length + chunks.Sum(c => c.Length);
        var file = new byte[total];
        Signature.CopyTo(file, 0);
        var pos = Signature.Length;
        foreach (var c in chunks)
        {
            c.CopyTo(file, pos);
            pos += c.Length;
        }

        return file;
    }

    /// <summary>
    /// Filters <paramref name="rows"/> (height rows of rowBytes unfiltered bytes) with filter type filters[r % filters.Length]
    /// for row r and prefixes each row with its filter byte.
    /// </summary>
    public static byte[] Filter(byte[] rows, int height, int rowBytes, int bytesPerPixel, int[] filters)
    {
        var output = new byte[height * (rowBytes + 1)];
        for (var r = 0; r < height; r++)
        {
            var type = filters[r % filters.Length];
            output[r * (rowBytes + 1)] = (byte)type;
            for (var i = 0; i < rowBytes; i++)
            {
                int x = rows[(r * rowBytes) + i];
                var a = i >= bytesPerPixel ? rows[(r * rowBytes) + i - bytesPerPixel] : 0;
                var b = r > 0 ? rows[((r - 1) * rowBytes) + i] : 0;
                var c = r > 0 && i >= bytesPerPixel ? rows[((r - 1) * rowBytes) + i - bytesPerPixel] : 0;
                var predictor = type switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => PaethPredictor(a, b, c),
                    _ => throw new ArgumentOutOfRangeException(nameof(filters)),
                };
                output[(r * (rowBytes + 1)) + 1 + i] = unchecked((byte)(x - predictor));
            }
        }

        return output;
    }

    /// <summary>The specification's pseudocode (PNG §9.4), written out independently of the decoder.</summary>
    public static int PaethPredictor(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }

    /// <summary>A complete PNG with the given unfiltered rows; the IDAT stream is split into <paramref name="idatChunks"/> chunks.</summary>
    public static byte[] Encode(int width, int height, int bitDepth, int colorType, byte[] rows, int[] filters, int idatChunks = 1, params byte[][] ancillaryBeforeIdat)
    {
        var channels = colorType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => 1 };
        var bitsPerPixel = bitDepth * channels;
        var rowBytes = ((width * bitsPerPixel) + 7) / 8;
        var bpp = Math.Max(1, bitsPerPixel / 8);
        var zlib = Zlib(Filter(rows, height, rowBytes, bpp, filters));
        var chunks = new List<byte[]> { Ihdr((uint)width, (uint)height, (byte)bitDepth, (byte)colorType) };
        chunks.AddRange(ancillaryBeforeIdat);
        var per = (zlib.Length + idatChunks - 1) / idatChunks;
        for (var start = 0; start < zlib.Length; start += per)
        {
            chunks.Add(Chunk("IDAT", zlib.AsSpan(start, Math.Min(per, zlib.Length - start))));
        }

        chunks.Add(Iend());
        return Assemble([.. chunks]);
    }

    /// <summary>Packs a row-major 0/1 grid into 1-bit rows, most significant bit first; padding bits get <paramref name="padding"/>.</summary>
    public static byte[] PackBits(byte[] bits, int width, int height, bool padding)
    {
        var rowBytes = (width + 7) / 8;
        var rows = new byte[height * rowBytes];
        for (var r = 0; r < height; r++)
        {
            for (var x = 0; x < rowBytes * 8; x++)
            {
                var bit = x < width ? bits[(r * width) + x] : (padding ? 1 : 0);
                if (bit != 0)
                {
                    rows[(r * rowBytes) + (x >> 3)] |= (byte)(0x80 >> (x & 7));
                }
            }
        }

        return rows;
    }

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
