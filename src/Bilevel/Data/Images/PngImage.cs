namespace Bilevel.Data.Images;

/// <summary>PNG colour types (PNG specification, 2nd edition, §11.2.2, IHDR "Colour type").</summary>
public enum PngColorType
{
    /// <summary>Greyscale, one channel.</summary>
    Grey = 0,

    /// <summary>Truecolour: red, green, blue.</summary>
    Rgb = 2,

    /// <summary>Indexed colour (PLTE). Not supported by <see cref="PngDecoder"/>.</summary>
    Palette = 3,

    /// <summary>Greyscale with alpha.</summary>
    GreyAlpha = 4,

    /// <summary>Truecolour with alpha: red, green, blue, alpha.</summary>
    Rgba = 6,
}

/// <summary>
/// A decoded image: <see cref="Width"/>·<see cref="Height"/> pixels in row-major order, each with
/// <see cref="Channels"/> interleaved 8-bit samples in <see cref="Pixels"/>. Samples of 1-bit greyscale files are
/// scaled to 8 bits as the PNG specification (§12.4, "sample depth scaling") prescribes: 0 → 0 and 1 → 255.
/// </summary>
public sealed class PngImage
{
    /// <summary>Wraps decoded samples; <paramref name="pixels"/> must hold width·height·channels bytes.</summary>
    public PngImage(int width, int height, PngColorType colorType, int bitDepth, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (colorType == PngColorType.Palette)
        {
            throw new ArgumentException("indexed-colour (palette) images are not supported", nameof(colorType));
        }

        Channels = ChannelCount(colorType);
        if ((long)width * height * Channels != pixels.Length)
        {
            throw new ArgumentException(
                $"{width}×{height} {colorType} needs {(long)width * height * Channels} samples, got {pixels.Length}",
                nameof(pixels));
        }

        Width = width;
        Height = height;
        ColorType = colorType;
        BitDepth = bitDepth;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public PngColorType ColorType { get; }

    /// <summary>The bit depth stored in the file (1 or 8); <see cref="Pixels"/> always holds 8-bit samples.</summary>
    public int BitDepth { get; }

    /// <summary>Samples per pixel: 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA).</summary>
    public int Channels { get; }

    /// <summary>Row-major, channel-interleaved 8-bit samples, length Width·Height·Channels.</summary>
    public byte[] Pixels { get; }

    /// <summary>The number of samples per pixel of a colour type.</summary>
    public static int ChannelCount(PngColorType colorType) => colorType switch
    {
        PngColorType.Grey => 1,
        PngColorType.GreyAlpha => 2,
        PngColorType.Rgb => 3,
        PngColorType.Rgba => 4,
        PngColorType.Palette => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(colorType), colorType, "not a PNG colour type"),
    };

    /// <summary>
    /// Luminance in [0, 1], row-major, length Width·Height; white is 1. Grey samples map to v/255 (so 1-bit images give
    /// exactly 0 and 1); colour pixels to (0.299·R + 0.587·G + 0.114·B)/255 (ITU-R BT.601 luma, the weights of PIL's
    /// <c>convert("L")</c>). Alpha is ignored, as in PIL's conversion.
    /// </summary>
    public float[] ToGrey()
    {
        var grey = new float[Width * Height];
        var p = Pixels;
        switch (ColorType)
        {
            case PngColorType.Grey:
                for (var i = 0; i < grey.Length; i++)
                {
                    grey[i] = p[i] / 255f;
                }

                break;
            case PngColorType.GreyAlpha:
                for (var i = 0; i < grey.Length; i++)
                {
                    grey[i] = p[2 * i] / 255f;
                }

                break;
            default:
                var stride = Channels;
                for (var i = 0; i < grey.Length; i++)
                {
                    var o = i * stride;
                    grey[i] = (float)(((0.299 * p[o]) + (0.587 * p[o + 1]) + (0.114 * p[o + 2])) / 255.0);
                }

                break;
        }

        return grey;
    }
}
