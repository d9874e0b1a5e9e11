using System.Text;
using System.Text.Json.Nodes;
using Bilevel.Kernel.Protocol;

namespace Bilevel.Tests.Kernel;

public sealed class ProtocolTests
{
    private static readonly MessageSigner Signer = new("a0436f6c-1916-498b-8eb9-e81ab9368e84");

    [Fact]
    public void Sign_KnownVector_MatchesPythonHmac()
    {
        // The same value as python3 -c "import hmac,hashlib; print(hmac.new(b'key', b'{}{}{}{}', hashlib.sha256).hexdigest())"
        var signer = new MessageSigner("key");
        var empty = "{}"u8.ToArray();
        Assert.Equal(PythonHmac("key", "{}{}{}{}"), signer.Sign(empty, empty, empty, empty));
        Assert.Equal("", new MessageSigner("").Sign(empty, empty, empty, empty));
    }

    [Fact]
    public void Parse_SignedRoundTrip_RecoversParts()
    {
        var parent = JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "1 + 1" }, null, "s1", identities: ["peer"u8.ToArray()]);
        var frames = parent.ToFrames(Signer);
        var parsed = JupyterMessage.Parse(frames, Signer);
        Assert.Equal("execute_request", parsed.MessageType);
        Assert.Equal("1 + 1", parsed.Content["code"]!.GetValue<string>());
        Assert.Equal("peer"u8.ToArray(), parsed.Identities[0]);
        Assert.Equal("5.3", parsed.Header["version"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_TamperedContent_IsRejected()
    {
        var frames = JupyterMessage.Create("execute_request", new JsonObject { ["code"] = "1" }, null, "s").ToFrames(Signer);
        frames[^1] = Encoding.UTF8.GetBytes("{\"code\":\"2\"}");
        var error = Assert.Throws<InvalidDataException>(() => JupyterMessage.Parse(frames, Signer));
        Assert.Equal("message with a bad signature rejected", error.Message);
    }

    [Fact]
    public void Parse_Unsigned_IsRejectedWhenAKeyIsSet()
    {
        var frames = JupyterMessage.Create("kernel_info_request", [], null, "s").ToFrames(new MessageSigner(""));
        var error = Assert.Throws<InvalidDataException>(() => JupyterMessage.Parse(frames, Signer));
        Assert.Equal("unsigned message rejected", error.Message);
    }

    [Fact]
    public void Parse_NoDelimiter_IsMalformed()
    {
        var error = Assert.Throws<InvalidDataException>(() => JupyterMessage.Parse([[1, 2, 3]], Signer));
        Assert.StartsWith("malformed message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Reply_CopiesParentHeaderAndIdentities()
    {
        var request = JupyterMessage.Create("kernel_info_request", [], null, "client", identities: ["id"u8.ToArray()]);
        var reply = JupyterMessage.Create("kernel_info_reply", [], request, "kernel");
        Assert.Equal(request.MessageId, reply.ParentHeader["msg_id"]!.GetValue<string>());
        Assert.Same(request.Identities, reply.Identities);
        Assert.NotEqual(request.MessageId, reply.MessageId);
    }

    [Fact]
    public void Load_MissingPorts_GivesOneLineError()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "{\"ip\": \"127.0.0.1\", \"shell_port\": 1}");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => ConnectionInfo.Load(path));
            Assert.Contains("lacks one of shell_port", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string PythonHmac(string key, string data)
    {
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(key));
        return Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes(data)));
    }
}
