using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bilevel.Kernel.Protocol;

/// <summary>The connection file Jupyter writes for a kernel (messaging spec, "Handling connection files").</summary>
internal sealed record ConnectionInfo
{
    [JsonPropertyName("transport")] public string Transport { get; init; } = "tcp";
    [JsonPropertyName("ip")] public string Ip { get; init; } = "127.0.0.1";
    [JsonPropertyName("shell_port")] public int ShellPort { get; init; }
    [JsonPropertyName("iopub_port")] public int IopubPort { get; init; }
    [JsonPropertyName("stdin_port")] public int StdinPort { get; init; }
    [JsonPropertyName("control_port")] public int ControlPort { get; init; }
    [JsonPropertyName("hb_port")] public int HeartbeatPort { get; init; }
    [JsonPropertyName("key")] public string Key { get; init; } = "";
    [JsonPropertyName("signature_scheme")] public string SignatureScheme { get; init; } = "hmac-sha256";

    /// <summary>The ZeroMQ endpoint of a port (tcp) or of an ipc path.</summary>
    public string Endpoint(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"{Transport}://{Ip}:{port}";

    /// <summary>Reads and checks a connection file; throws a one-line error naming the file and the problem.</summary>
    public static ConnectionInfo Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"connection file '{path}' does not exist", path);
        }

        ConnectionInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<ConnectionInfo>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"connection file '{path}' is not valid JSON: {e.Message}", e);
        }

        if (info is null || info.ShellPort <= 0 || info.IopubPort <= 0 || info.ControlPort <= 0 || info.HeartbeatPort <= 0 || info.StdinPort <= 0)
        {
            throw new InvalidDataException($"connection file '{path}' lacks one of shell_port, iopub_port, stdin_port, control_port, hb_port");
        }

        if (info.Key.Length > 0 && info.SignatureScheme != "hmac-sha256")
        {
            throw new InvalidDataException($"connection file '{path}': signature_scheme '{info.SignatureScheme}' is not supported (only hmac-sha256)");
        }

        return info;
    }
}
