using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Bilevel.Kernel.Protocol;

/// <summary>
/// One Jupyter message (messaging spec 5.3, "The Wire Protocol"): routing identities, then
/// <c>&lt;IDS|MSG&gt;</c>, the HMAC signature, header, parent header, metadata, content and optional buffers.
/// </summary>
internal sealed class JupyterMessage
{
    public const string ProtocolVersion = "5.3";
    private static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    public IReadOnlyList<byte[]> Identities { get; init; } = [];
    public JsonObject Header { get; init; } = [];
    public JsonObject ParentHeader { get; init; } = [];
    public JsonObject Metadata { get; init; } = [];
    public JsonObject Content { get; init; } = [];
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    public string MessageType => Header["msg_type"]?.GetValue<string>() ?? "";

    public string MessageId => Header["msg_id"]?.GetValue<string>() ?? "";

    /// <summary>A new message of <paramref name="type"/> in reply to (or caused by) <paramref name="parent"/>.</summary>
    public static JupyterMessage Create(string type, JsonObject content, JupyterMessage? parent, string session,
        IReadOnlyList<byte[]>? identities = null, JsonObject? metadata = null) => new()
        {
            Identities = identities ?? parent?.Identities ?? [],
            Header = NewHeader(type, session),
            ParentHeader = parent is null ? [] : (JsonObject)parent.Header.DeepClone(),
            Metadata = metadata ?? [],
            Content = content,
        };

    private static JsonObject NewHeader(string type, string session) => new()
    {
        ["msg_id"] = Guid.NewGuid().ToString("N"),
        ["session"] = session,
        ["username"] = "bilevel",
        ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        ["msg_type"] = type,
        ["version"] = ProtocolVersion,
    };

    /// <summary>The frames to send, signed with <paramref name="signer"/>.</summary>
    public List<byte[]> ToFrames(MessageSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var header = Encoding.UTF8.GetBytes(Header.ToJsonString());
        var parent = Encoding.UTF8.GetBytes(ParentHeader.ToJsonString());
        var metadata = Encoding.UTF8.GetBytes(Metadata.ToJsonString());
        var content = Encoding.UTF8.GetBytes(Content.ToJsonString());
        var frames = new List<byte[]>(Identities.Count + 6 + Buffers.Count);
        frames.AddRange(Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(header, parent, metadata, content)));
        frames.Add(header);
        frames.Add(parent);
        frames.Add(metadata);
        frames.Add(content);
        frames.AddRange(Buffers);
        return frames;
    }

    /// <summary>
    /// Parses received frames and verifies their signature; throws <see cref="InvalidDataException"/> with a
    /// one-line reason when the message is malformed or unsigned/badly signed.
    /// </summary>
    public static JupyterMessage Parse(IReadOnlyList<byte[]> frames, MessageSigner signer)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(signer);
        var delimiter = -1;
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames[i].AsSpan().SequenceEqual(Delimiter))
            {
                delimiter = i;
                break;
            }
        }

        if (delimiter < 0 || frames.Count < delimiter + 6)
        {
            throw new InvalidDataException("malformed message: no <IDS|MSG> delimiter followed by signature, header, parent, metadata and content");
        }

        var signature = frames[delimiter + 1];
        var header = frames[delimiter + 2];
        var parent = frames[delimiter + 3];
        var metadata = frames[delimiter + 4];
        var content = frames[delimiter + 5];
        if (!signer.Verify(signature, header, parent, metadata, content))
        {
            throw new InvalidDataException(signature.Length == 0 ? "unsigned message rejected" : "message with a bad signature rejected");
        }

        var buffers = new List<byte[]>();
        for (var i = delimiter + 6; i < frames.Count; i++)
        {
            buffers.Add(frames[i]);
        }

        return new JupyterMessage
        {
            Identities = frames.Take(delimiter).ToList(),
            Header = ParseObject(header, "header"),
            ParentHeader = ParseObject(parent, "parent_header"),
            Metadata = ParseObject(metadata, "metadata"),
            Content = ParseObject(content, "content"),
            Buffers = buffers,
        };
    }

    private static JsonObject ParseObject(byte[] bytes, string part)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw new InvalidDataException($"malformed message: {part} is not a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"malformed message: {part} is not valid JSON ({e.Message})", e);
        }
    }
}

/// <summary>HMAC-SHA256 signing and constant-time verification of messages (messaging spec, "The Wire Protocol").</summary>
internal sealed class MessageSigner
{
    private readonly byte[] _key;

    public MessageSigner(string key) => _key = Encoding.UTF8.GetBytes(key ?? "");

    /// <summary>True when messages are signed (the connection file has a non-empty key).</summary>
    public bool IsEnabled => _key.Length > 0;

    /// <summary>The lowercase hex HMAC of the four parts, or "" when signing is off.</summary>
    public string Sign(byte[] header, byte[] parent, byte[] metadata, byte[] content) =>
        IsEnabled ? Convert.ToHexStringLower(Mac(header, parent, metadata, content)) : "";

    /// <summary>Checks a received signature in constant time; with signing off every message is accepted.</summary>
    public bool Verify(byte[] signature, byte[] header, byte[] parent, byte[] metadata, byte[] content)
    {
        if (!IsEnabled)
        {
            return true;
        }

        byte[] received;
        try
        {
            received = Convert.FromHexString(Encoding.ASCII.GetString(signature));
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = Mac(header, parent, metadata, content);
        return received.Length == expected.Length && CryptographicOperations.FixedTimeEquals(received, expected);
    }

    private byte[] Mac(byte[] header, byte[] parent, byte[] metadata, byte[] content)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        hmac.AppendData(header);
        hmac.AppendData(parent);
        hmac.AppendData(metadata);
        hmac.AppendData(content);
        return hmac.GetHashAndReset();
    }
}
