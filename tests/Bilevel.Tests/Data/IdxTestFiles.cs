using System.Buffers.Binary;
using System.IO.Compression;

namespace Bilevel.Tests.Data;

/// <summary>A temporary folder of hand-made IDX files, deleted on dispose.</summary>
public sealed class IdxTestFiles : IDisposable
{
    public IdxTestFiles()
    {
        Folder = Path.Combine(Path.GetTempPath(), "bilevel-idx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>Header bytes: 00 00 type ndims, then each dimension big-endian.</summary>
    public static byte[] Header(byte type, params uint[] dims)
    {
        var header = new byte[4 + (4 * dims.Length)];
        header[2] = type;
        header[3] = (byte)dims.Length;
        for (var d = 0; d < dims.Length; d++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + (4 * d)), dims[d]);
        }

        return header;
    }

    /// <summary>An unsigned-byte IDX file's bytes with the given dimensions and payload.</summary>
    public static byte[] UnsignedBytes(byte[] payload, params uint[] dims) => [.. Header(0x08, dims), .. payload];

    /// <summary>An int32 IDX file's bytes with the given dimensions and big-endian payload values.</summary>
    public static byte[] Int32s(int[] values, params uint[] dims)
    {
        var payload = new byte[4 * values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4 * i), values[i]);
        }

        return [.. Header(0x0C, dims), .. payload];
    }

    public static byte[] Gzip(byte[] content)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return memory.ToArray();
    }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
