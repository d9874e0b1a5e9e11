using System.IO.Compression;
using Bilevel.Data.Images;

namespace Bilevel.Tests.Data.Images;

public sealed class PngDecoderTests
{
    private const string Source = "test.png";

    public static TheoryData<int> FilterTypes => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(FilterTypes))]
    public void Decode_Grey8EachFilter_PixelsExact(int filter)
    {
        var rows = TestPng.RandomBytes(7 * 5, seed: 10 + filter);
        var png = TestPng.Encode(7, 5, 8, 0, rows, [filter]);

        var image = PngDecoder.Decode(png, Source);

        Assert.Equal((7, 5, 1, 8, PngColorType.Grey), (image.Width, image.Height, image.Channels, image.BitDepth, image.ColorType));
        Assert.Equal(rows, image.Pixels);
    }

    [Theory]
    [MemberData(nameof(FilterTypes))]
    public void Decode_Rgb8EachFilter_PixelsExact(int filter)
    {
        var rows = TestPng.RandomBytes(6 * 4 * 3, seed: 20 + filter);
        var png = TestPng.Encode(6, 4, 8, 2, rows, [filter]);

        var image = PngDecoder.Decode(png, Source);

        Assert.Equal((6, 4, 3, PngColorType.Rgb), (image.Width, image.Height, image.Channels, image.ColorType));
        Assert.Equal(rows, image.Pixels);
    }

    [Theory]
    [MemberData(nameof(FilterTypes))]
    public void Decode_Rgba8EachFilter_PixelsExact(int filter)
    {
        var rows = TestPng.RandomBytes(5 * 6 * 4, seed: 30 + filter);
        var png = TestPng.Encode(5, 6, 8, 6, rows, [filter]);

        var image = PngDecoder.Decode(png, Source);

        Assert.Equal((5, 6, 4, PngColorType.Rgba), (image.Width, image.Height, image.Channels, image.ColorType));
        Assert.Equal(rows, image.Pixels);
    }

    [Theory]
    [MemberData(nameof(FilterTypes))]
    public void Decode_GreyAlpha8EachFilter_PixelsExact(int filter)
    {
        var rows = TestPng.RandomBytes(4 * 3 * 2, seed: 40 + filter);
        var png = TestPng.Encode(4, 3, 8, 4, rows, [filter]);

        var image = PngDecoder.Decode(png, Source);

        Assert.Equal((4, 3, 2, PngColorType.GreyAlpha), (image.Width, image.Height, image.Channels, image.ColorType));
        Assert.Equal(rows, image.Pixels);
    }

    [Theory]
    [MemberData(nameof(FilterTypes))]
    public void Decode_Grey1BitEachFilter_BitsExpandTo0And255(int filter)
    {
        // Width 13 is not a multiple of 8: each row has 2 bytes and 3 padding bits, set to 1 to show they are ignored.
        const int W = 13, H = 4;
        var random = new Random(50 + filter);
        var bits = new byte[W * H];
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = (byte)random.Next(2);
        }

        var png = TestPng.Encode(W, H, 1, 0, TestPng.PackBits(bits, W, H, padding: true), [filter]);

        var image = PngDecoder.Decode(png, Source);

        Assert.Equal((W, H, 1, 1), (image.Width, image.Height, image.Channels, image.BitDepth));
        Assert.Equal(bits.Select(b => (byte)(b * 255)), image.Pixels);
        Assert.Equal(bits.Select(b => (float)b), image.ToGrey());
    }

    [Fact]
    public void Decode_DifferentFilterEveryRow_PixelsExact()
    {
        // Rows 0..9 use filters 0,1,2,3,4,0,1,… so every filter follows every other one at least once across files of 3 channels.
        var rows = TestPng.RandomBytes(9 * 10 * 3, seed: 60);
        var png = TestPng.Encode(9, 10, 8, 2, rows, [0, 1, 2, 3, 4, 4, 3, 2, 1, 0]);

        Assert.Equal(rows, PngDecoder.Decode(png, Source).Pixels);
    }

    // Row 0 (None): 10 20 30. Row 1 holds the filtered bytes 5 5 5.
    // Average: 5 + ⌊(0 + 10)/2⌋ = 10; 5 + ⌊(10 + 20)/2⌋ = 20; 5 + ⌊(20 + 30)/2⌋ = 30.
    // Paeth: x0: a=0, b=10, c=0 → p=10, pb=0 → b → 15; x1: a=15, b=20, c=10 → p=25, pa=10, pb=5, pc=15 → b → 25;
    //        x2: a=25, b=30, c=20 → p=35, pa=10, pb=5, pc=15 → b → 35.
    // Up: 5 + 10, 5 + 20, 5 + 30. Sub: 5, 5 + 5, 10 + 5.
    [Theory]
    [InlineData(1, new byte[] { 5, 10, 15 })]
    [InlineData(2, new byte[] { 15, 25, 35 })]
    [InlineData(3, new byte[] { 10, 20, 30 })]
    [InlineData(4, new byte[] { 15, 25, 35 })]
    public void Decode_HandFilteredSecondRow_MatchesHandReconstruction(int filter, byte[] expectedRow1)
    {
        byte[] scanlines = [0, 10, 20, 30, (byte)filter, 5, 5, 5];
        var png = TestPng.Assemble(TestPng.Ihdr(3, 2, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(scanlines)), TestPng.Iend());

        Assert.Equal([10, 20, 30, .. expectedRow1], PngDecoder.Decode(png, Source).Pixels);
    }

    [Fact]
    public void Decode_PaethPicksUpperLeft_HandValues()
    {
        // Row 0: 100 0; row 1 Paeth with 7 7. x0: a=0, b=100, c=0 → p=100 → b → 107.
        // x1: a=107, b=0, c=100 → p=7, pa=100, pb=7, pc=93 → b=0 → 7.
        // Predictor alone: (a, b, c) = (30, 10, 20) → p=20, pa=10, pb=10, pc=0 → c; (10, 20, 30) → p=0, pa=10, pb=20,
        // pc=30 → a; all equal → a. Ties follow the specification's order a, b, c: (30, 0, 10) → p=20, pa=pc=10 < pb=20 → a;
        // (10, 40, 20) → p=30, pb=pc=10 < pa=20 → b.
        Assert.Equal(20, PngDecoder.Paeth(30, 10, 20));
        Assert.Equal(10, PngDecoder.Paeth(10, 20, 30));
        Assert.Equal(30, PngDecoder.Paeth(30, 30, 30));
        Assert.Equal(30, PngDecoder.Paeth(30, 0, 10));
        Assert.Equal(40, PngDecoder.Paeth(10, 40, 20));
        byte[] scanlines = [0, 100, 0, 4, 7, 7];
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(scanlines)), TestPng.Iend());

        Assert.Equal([100, 0, 107, 7], PngDecoder.Decode(png, Source).Pixels);
    }

    [Theory]
    [InlineData(new byte[] { 10, 0 }, new byte[] { 20, 5 }, new byte[] { 30, 35 })] // x1: a=30, b=0, c=10: tie pa=pc → a
    [InlineData(new byte[] { 20, 40 }, new byte[] { 246, 1 }, new byte[] { 10, 41 })] // x1: a=10, b=40, c=20: tie pb=pc → b
    public void Decode_PaethTies_BreakInSpecificationOrder(byte[] row0, byte[] filtered1, byte[] expectedRow1)
    {
        // Row 1, x0: a=0, c=0, so the predictor is b = row0[0]: 20 + 10 = 30 and 246 + 20 = 266 → 10 (mod 256).
        byte[] scanlines = [0, .. row0, 4, .. filtered1];
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(scanlines)), TestPng.Iend());

        Assert.Equal([.. row0, .. expectedRow1], PngDecoder.Decode(png, Source).Pixels);
    }

    [Fact]
    public void Decode_SubWrapsModulo256_HandValues()
    {
        // Sub: 200, then 100 + 200 = 300 → 44 (mod 256), then 250 + 44 = 294 → 38.
        byte[] scanlines = [1, 200, 100, 250];
        var png = TestPng.Assemble(TestPng.Ihdr(3, 1, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(scanlines)), TestPng.Iend());

        Assert.Equal([200, 44, 38], PngDecoder.Decode(png, Source).Pixels);
    }

    [Fact]
    public void Decode_RgbSubUsesPixelToTheLeftNotByte_HandValues()
    {
        // RGB: bytes per pixel 3, so Sub adds the sample 3 bytes back: (1,2,3),(1+10, 2+10, 3+10).
        byte[] scanlines = [1, 1, 2, 3, 10, 10, 10];
        var png = TestPng.Assemble(TestPng.Ihdr(2, 1, 8, 2), TestPng.Chunk("IDAT", TestPng.Zlib(scanlines)), TestPng.Iend());

        Assert.Equal([1, 2, 3, 11, 12, 13], PngDecoder.Decode(png, Source).Pixels);
    }

    [Fact]
    public void Decode_IdatSplitAndAncillaryChunks_SameAsSingleChunk()
    {
        var rows = TestPng.RandomBytes(8 * 8, seed: 70);
        var single = PngDecoder.Decode(TestPng.Encode(8, 8, 8, 0, rows, [4]), Source);
        var split = PngDecoder.Decode(
            TestPng.Encode(8, 8, 8, 0, rows, [4], 4, TestPng.Chunk("tEXt", "Comment\0hi"u8), TestPng.Chunk("prVt", [1, 2, 3])),
            Source);

        Assert.Equal(rows, single.Pixels);
        Assert.Equal(rows, split.Pixels);
    }

    [Fact]
    public void Decode_PlteInTruecolour_IsSkipped()
    {
        var rows = TestPng.RandomBytes(2 * 2 * 3, seed: 71);
        var zlib = TestPng.Zlib(TestPng.Filter(rows, 2, 6, 3, [0]));
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 2), TestPng.Chunk("PLTE", [0, 0, 0, 255, 255, 255]), TestPng.Chunk("IDAT", zlib), TestPng.Iend());

        Assert.Equal(rows, PngDecoder.Decode(png, Source).Pixels);
    }

    [Fact]
    public void Decode_SeekableAndNonSeekableStream_SameAsSpan()
    {
        var rows = TestPng.RandomBytes(5 * 5 * 3, seed: 72);
        var png = TestPng.Encode(5, 5, 8, 2, rows, [2]);

        using var seekable = new MemoryStream(png);
        using var pipe = new NonSeekableStream(png);

        Assert.Equal(rows, PngDecoder.Decode(seekable, Source).Pixels);
        Assert.Equal(rows, PngDecoder.Decode(pipe, Source).Pixels);
    }

    [Fact]
    public void Decode_StreamLongerThanLimit_FailsBeforeReading()
    {
        using var stream = new HugeLengthStream();

        var e = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(stream, Source));
        Assert.Equal("test.png: byte 0: file is 1099511627776 bytes, more than the decoder's limit of 268435456 bytes", e.Message);
    }

    [Fact]
    public void ToGrey_Rgb_UsesBt601Weights()
    {
        // Pure red, green, blue, white, and (10, 20, 30): 0.299, 0.587, 0.114, 1, (2.99 + 11.74 + 3.42)/255.
        var image = new PngImage(5, 1, PngColorType.Rgb, 8, [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30]);

        var grey = image.ToGrey();

        Assert.Equal(0.299f, grey[0], 6);
        Assert.Equal(0.587f, grey[1], 6);
        Assert.Equal(0.114f, grey[2], 6);
        Assert.Equal(1f, grey[3], 6);
        Assert.Equal(18.15f / 255f, grey[4], 6);
    }

    [Fact]
    public void ToGrey_RgbaAndGreyAlpha_IgnoreAlpha()
    {
        var rgba = new PngImage(1, 1, PngColorType.Rgba, 8, [255, 255, 255, 0]);
        var greyAlpha = new PngImage(2, 1, PngColorType.GreyAlpha, 8, [51, 0, 204, 255]);

        Assert.Equal(1f, rgba.ToGrey()[0], 6);
        Assert.Equal([0.2f, 0.8f], greyAlpha.ToGrey());
    }

    [Fact]
    public void Decode_RealOmniglotPngs_Are105By105OneBitWithWhiteBackground()
    {
        var path = Path.Combine(Bilevel.Tests.Environment.ScriptTests.RepositoryRoot(), "data", "omniglot", "images_background_small1.zip");
        using var zip = ZipFile.OpenRead(path);
        var decoded = 0;
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".png", StringComparison.Ordinal)).Take(200))
        {
            using var stream = entry.Open();
            var image = PngDecoder.Decode(stream, entry.FullName);
            var grey = image.ToGrey();

            Assert.Equal((105, 105, 1, PngColorType.Grey), (image.Width, image.Height, image.BitDepth, image.ColorType));
            Assert.All(grey, v => Assert.True(v is 0f or 1f));
            Assert.InRange(grey.Average(), 0.8, 0.999); // mostly white paper, some black ink
            decoded++;
        }

        Assert.Equal(200, decoded);
    }

    // ---- malformed files: each fails with one line naming the source, the place and the problem ----

    [Fact]
    public void Decode_BadSignature_NamesByteAndSignature()
    {
        var png = Valid();
        png[1] = (byte)'Q';

        AssertFails(png, "test.png: byte 1: not a PNG file: signature byte is 0x51, expected 0x50");
    }

    [Fact]
    public void Decode_ShorterThanSignature_Fails()
    {
        AssertFails(TestPng.Signature[..5], "byte 5: file is 5 bytes, shorter than the 8-byte PNG signature");
    }

    [Fact]
    public void Decode_BadCrc_NamesChunkAndBothCrcs()
    {
        var png = Valid();
        png[33 + 8] ^= 0x01; // first data byte of the IDAT chunk, which starts at 8 + 25 = 33

        AssertFails(png, "test.png: chunk IDAT at byte 33: CRC-32 mismatch (stored 0x");
    }

    [Fact]
    public void Decode_TruncatedInsideChunkData_Fails()
    {
        var png = Valid();

        AssertFails(png[..50], "chunk IDAT at byte 33: truncated chunk: it claims");
    }

    [Fact]
    public void Decode_TruncatedInsideChunkHeader_Fails()
    {
        var png = Valid();

        AssertFails(png[..(png.Length - 7)], "truncated chunk: 5 bytes left, a chunk needs at least 12");
    }

    [Fact]
    public void Decode_MissingIhdr_Fails()
    {
        var png = TestPng.Assemble(TestPng.Chunk("IDAT", TestPng.Zlib([0, 1])), TestPng.Iend());

        AssertFails(png, "chunk IDAT at byte 8: the first chunk must be IHDR");
    }

    [Fact]
    public void Decode_MissingIend_Fails()
    {
        var png = Valid();

        AssertFails(png[..^12], "file ends without an IEND chunk");
    }

    [Fact]
    public void Decode_NoIdat_Fails()
    {
        AssertFails(TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Iend()), "chunk IEND at byte 33: no IDAT chunk before IEND");
    }

    [Fact]
    public void Decode_IdatTooShort_SaysInflatedAndExpectedLengths()
    {
        // 4×3 grey 8-bit needs 3·(1 + 4) = 15 bytes; give two rows (10 bytes).
        var png = TestPng.Assemble(TestPng.Ihdr(4, 3, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[10])), TestPng.Iend());

        AssertFails(png, "image data too short: it inflates to 10 bytes, expected 3·(1 + 4) = 15 bytes for 4×3");
    }

    [Fact]
    public void Decode_IdatTooLong_Fails()
    {
        var png = TestPng.Assemble(TestPng.Ihdr(4, 3, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[16])), TestPng.Iend());

        AssertFails(png, "image data too long: it inflates to more than 3·(1 + 4) = 15 bytes");
    }

    [Fact]
    public void Decode_ZlibBomb_StopsAtExpectedSizePlusOne()
    {
        // 64 MiB of zeros compress to about 64 KiB; the header claims 16×16. The decoder reads at most 16·17 + 1 bytes.
        var bomb = TestPng.Zlib(new byte[64 << 20]);
        var png = TestPng.Assemble(TestPng.Ihdr(16, 16, 8, 0), TestPng.Chunk("IDAT", bomb), TestPng.Iend());

        AssertFails(png, "image data too long: it inflates to more than 16·(1 + 16) = 272 bytes");
    }

    [Fact]
    public void Decode_CorruptZlib_Fails()
    {
        // 0x78 0x00: the zlib header check (FCHECK) fails.
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("IDAT", [0x78, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]), TestPng.Iend());

        AssertFails(png, "chunk IDAT at byte 33: corrupt zlib stream");
    }

    // .NET's inflater catches a wrong checksum itself; it does not notice a missing or partial Adler-32 trailer or bytes
    // after the zlib stream, which the decoder's own Adler-32 check over the last 4 IDAT bytes catches.
    [Theory]
    [InlineData("flipped checksum", "corrupt zlib stream (bad header, deflate data or Adler-32 checksum)")]
    [InlineData("last byte missing", "zlib Adler-32 mismatch (last 4 IDAT bytes 0x00000600, computed 0x00060001)")]
    [InlineData("checksum missing", "zlib Adler-32 mismatch (last 4 IDAT bytes 0x60000100, computed 0x00060001)")]
    [InlineData("bytes after stream", "zlib Adler-32 mismatch (last 4 IDAT bytes 0x01020304, computed 0x00060001)")]
    public void Decode_BadZlibTrailer_Fails(string how, string message)
    {
        var zlib = TestPng.Zlib(new byte[6]); // 2×2 grey, filter None, zeros: Adler-32 = 0x00060001
        zlib = how switch
        {
            "flipped checksum" => [.. zlib[..^1], (byte)(zlib[^1] ^ 0xFF)],
            "last byte missing" => zlib[..^1],
            "checksum missing" => zlib[..^4],
            _ => [.. zlib, 1, 2, 3, 4],
        };
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("IDAT", zlib), TestPng.Iend());

        AssertFails(png, "chunk IDAT at byte 33: " + message);
    }

    [Theory]
    [InlineData(0, 16, "unsupported bit depth 16 with colour type 0 (Grey)")]
    [InlineData(0, 4, "unsupported bit depth 4 with colour type 0 (Grey)")]
    [InlineData(0, 2, "unsupported bit depth 2 with colour type 0 (Grey)")]
    [InlineData(2, 16, "unsupported bit depth 16 with colour type 2 (Rgb)")]
    [InlineData(6, 16, "unsupported bit depth 16 with colour type 6 (Rgba)")]
    [InlineData(3, 8, "unsupported bit depth 8 with colour type 3 (Palette)")]
    [InlineData(2, 1, "invalid bit depth 1 for colour type 2 (Rgb); PNG allows 8, 16")]
    [InlineData(0, 3, "invalid bit depth 3 for colour type 0 (Grey)")]
    [InlineData(5, 8, "invalid colour type 5 (PNG allows 0, 2, 3, 4, 6)")]
    public void Decode_UnsupportedOrInvalidBitDepth_Fails(int colorType, int bitDepth, string message)
    {
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, (byte)bitDepth, (byte)colorType), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[64])), TestPng.Iend());

        AssertFails(png, "test.png: chunk IHDR at byte 8: " + message);
    }

    [Fact]
    public void Decode_Interlaced_RejectedAsAdam7()
    {
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0, interlace: 1), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[6])), TestPng.Iend());

        AssertFails(png, "Adam7-interlaced images (interlace method 1) are not supported");
    }

    [Theory]
    [InlineData(1u << 24, 1u << 24, "16777216×16777216 pixels × 1 channels = 281474976710656 bytes exceeds the decoder's limit of 268435456 bytes")]
    [InlineData(65536u, 65536u, "65536×65536 pixels × 1 channels = 4294967296 bytes exceeds")]
    [InlineData((1u << 24) + 1, 1u, "width 16777217 exceeds the decoder's limit of 2^24 = 16777216")]
    [InlineData(1u, 0xFFFFFFFFu, "height 4294967295 exceeds the decoder's limit")]
    [InlineData(0u, 5u, "width is 0")]
    [InlineData(5u, 0u, "height is 0")]
    public void Decode_HugeOrZeroDimensions_FailBeforeAllocating(uint width, uint height, string message)
    {
        var png = TestPng.Assemble(TestPng.Ihdr(width, height, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[6])), TestPng.Iend());

        AssertFails(png, "chunk IHDR at byte 8: " + message);
    }

    [Fact]
    public void Decode_HugeDimensionsWithinLimitButShortData_FailsWithoutFullAllocation()
    {
        // 16384×16384 grey = 2^28 bytes, at the limit; the 20-byte IDAT cannot fill it and the decoder says so.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var png = TestPng.Assemble(TestPng.Ihdr(16384, 16384, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[100])), TestPng.Iend());

        AssertFails(png, "image data too short: it inflates to 100 bytes, expected 16384·(1 + 16384)");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated more than 16 MiB for a tiny file");
    }

    [Fact]
    public void Decode_UnknownCriticalChunk_Fails()
    {
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("ABCD", [1]), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[6])), TestPng.Iend());

        AssertFails(png, "chunk ABCD at byte 33: unknown critical chunk");
    }

    [Fact]
    public void Decode_InvalidFilterType_NamesRow()
    {
        byte[] scanlines = [0, 1, 2, 5, 3, 4];
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(scanlines)), TestPng.Iend());

        AssertFails(png, "row 1 (inflated byte 3): invalid filter type 5, expected 0–4");
    }

    [Fact]
    public void Decode_TrailingBytesAfterIend_Fails()
    {
        AssertFails([.. Valid(), 0, 0, 0], "3 bytes of data after the IEND chunk");
    }

    [Fact]
    public void Decode_IhdrWrongLength_Fails()
    {
        var png = TestPng.Assemble(TestPng.Chunk("IHDR", new byte[12]), TestPng.Iend());

        AssertFails(png, "chunk IHDR at byte 8: IHDR holds 12 bytes, expected 13");
    }

    [Fact]
    public void Decode_DuplicateIhdr_Fails()
    {
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Ihdr(2, 2, 8, 0), TestPng.Iend());

        AssertFails(png, "chunk IHDR at byte 33: duplicate IHDR");
    }

    [Fact]
    public void Decode_IdatNotConsecutive_Fails()
    {
        var zlib = TestPng.Zlib(new byte[6]);
        var png = TestPng.Assemble(
            TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("IDAT", zlib.AsSpan(0, 4)), TestPng.Chunk("tEXt", "a\0b"u8), TestPng.Chunk("IDAT", zlib.AsSpan(4)), TestPng.Iend());

        AssertFails(png, "IDAT chunks must be consecutive");
    }

    [Fact]
    public void Decode_PlteInGreyscale_Fails()
    {
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("PLTE", [0, 0, 0]), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[6])), TestPng.Iend());

        AssertFails(png, "chunk PLTE at byte 33: PLTE must not appear in a Grey image");
    }

    [Fact]
    public void Decode_ChunkLengthOver2To31_Fails()
    {
        var png = Valid();
        png[33] = 0x80; // IDAT length's top byte

        AssertFails(png, "chunk IDAT at byte 33: length 21474836");
    }

    [Fact]
    public void Decode_NonLetterChunkType_Fails()
    {
        var png = Valid();
        png[33 + 4] = (byte)'1';

        AssertFails(png, "byte 37: invalid chunk type");
    }

    [Fact]
    public void Decode_NonEmptyIend_Fails()
    {
        var png = TestPng.Assemble(TestPng.Ihdr(2, 2, 8, 0), TestPng.Chunk("IDAT", TestPng.Zlib(new byte[6])), TestPng.Chunk("IEND", [0]));

        AssertFails(png, "IEND must be empty, it holds 1 bytes");
    }

    private static byte[] Valid() => TestPng.Encode(3, 3, 8, 0, TestPng.RandomBytes(9, seed: 1), [0]);

    private static void AssertFails(byte[] png, string expectedFragment)
    {
        var e = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(png, Source));
        Assert.True(e.Message.StartsWith("test.png: ", StringComparison.Ordinal), e.Message);
        Assert.True(e.Message.Contains(expectedFragment, StringComparison.Ordinal), $"expected \"{expectedFragment}\" in: {e.Message}");
        Assert.DoesNotContain('\n', e.Message);

        using var stream = new MemoryStream(png);
        var fromStream = Assert.Throws<InvalidDataException>(() => PngDecoder.Decode(stream, Source));
        Assert.Equal(e.Message, fromStream.Message);
    }

    private sealed class HugeLengthStream : MemoryStream
    {
        public override long Length => 1L << 40;
    }

    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 3), data.Length - _position); // short reads of at most 3 bytes
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
