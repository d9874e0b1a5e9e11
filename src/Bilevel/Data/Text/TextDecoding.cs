using System.Text;

namespace Bilevel.Data.Text;

/// <summary>
/// Byte-to-text decoding shared by the text readers. The bundled corpora are mostly UTF-8, but a few records are
/// Latin-1 (FDU-MTL's MR and dvd files contain <c>0xE9</c> for "é"; the original 20 Newsgroups and Sentiment140 files
/// are Latin-1). Each unit (line, review, message or CSV record) is decoded as strict UTF-8 and, only when that fails,
/// as Latin-1 (ISO-8859-1, every byte maps to the code point of the same value, so nothing is lost or replaced).
/// </summary>
internal static class TextDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Strict UTF-8, or Latin-1 when the bytes are not valid UTF-8 (<paramref name="usedLatin1"/> says which).</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, out bool usedLatin1)
    {
        usedLatin1 = false;
        if (bytes.IsEmpty)
        {
            return string.Empty;
        }

        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return StrictUtf8.GetString(bytes);
        }

        usedLatin1 = true;
        return Encoding.Latin1.GetString(bytes);
    }

    /// <summary>Length of <paramref name="bytes"/> after a leading UTF-8 byte-order mark is skipped.</summary>
    public static int BomLength(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;

    /// <summary>Shortens a text for an error message: at most <paramref name="max"/> characters, control characters escaped.</summary>
    public static string Excerpt(ReadOnlySpan<char> text, int max = 40)
    {
        var builder = new StringBuilder();
        var n = Math.Min(text.Length, max);
        for (var i = 0; i < n; i++)
        {
            var c = text[i];
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        if (text.Length > max)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    /// <summary>An exception message on one line (inner messages sometimes carry line breaks).</summary>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
