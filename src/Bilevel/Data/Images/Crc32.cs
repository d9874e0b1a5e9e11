namespace Bilevel.Data.Images;

/// <summary>
/// The CRC-32 of ISO-HDLC / ITU-T V.42 / zlib / PNG (PNG specification, 2nd edition, §5.5 and Annex D): reflected
/// polynomial 0xEDB88320, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF, computed with a 256-entry table. The check
/// value of the ASCII bytes "123456789" is 0xCBF43926.
/// </summary>
public static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;

    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a CRC: <c>Append(Compute(a), b) == Compute(a ++ b)</c>. Start with 0 for an empty prefix.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        foreach (var b in data)
        {
            c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
