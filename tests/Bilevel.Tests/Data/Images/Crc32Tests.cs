using System.Text;
using Bilevel.Data.Images;

namespace Bilevel.Tests.Data.Images;

public sealed class Crc32Tests
{
    [Fact]
    public void Compute_CheckString123456789_IsCbf43926()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Compute_Empty_IsZero()
    {
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Compute_IendChunkType_MatchesEveryPngFile()
    {
        // Every PNG ends with 00 00 00 00 49 45 4E 44 AE 42 60 82: the CRC of "IEND" is 0xAE426082.
        Assert.Equal(0xAE426082u, Crc32.Compute("IEND"u8));
    }

    [Fact]
    public void Append_SplitInput_EqualsOneShot()
    {
        var data = TestPng.RandomBytes(1000, seed: 3);
        var split = Crc32.Append(Crc32.Compute(data.AsSpan(0, 377)), data.AsSpan(377));

        Assert.Equal(Crc32.Compute(data), split);
    }

    [Fact]
    public void Adler32_Wikipedia_Is11E60398()
    {
        Assert.Equal(0x11E60398u, PngDecoder.Adler32("Wikipedia"u8));
    }

    [Fact]
    public void Adler32_LongInput_MatchesDirectModularSums()
    {
        // 20 000 bytes of 0xFF crosses the 5552-byte block boundary several times.
        var data = new byte[20_000];
        Array.Fill(data, (byte)0xFF);
        ulong a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }

        Assert.Equal((uint)((b << 16) | a), PngDecoder.Adler32(data));
    }
}
