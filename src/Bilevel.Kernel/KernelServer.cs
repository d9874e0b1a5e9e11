using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Bilevel.Interactive;
using Bilevel.Kernel.Execution;
using Bilevel.Kernel.Protocol;
using Bilevel.Kernel.ZeroMq;
using Microsoft.CodeAnalysis;

namespace Bilevel.Kernel;

/// <summary>
/// A Jupyter kernel for C# (messaging protocol 5.3) on ZeroMQ: shell, control, stdin and iopub sockets and the
/// heartbeat, every message HMAC-SHA256 signed and verified. Shell requests run one at a time on the shell thread;
/// control requests (interrupt, shutdown) on their own thread so they reach a busy kernel; every iopub send is a
/// whole multipart message under one lock. Cells run in a <see cref="ScriptSession"/>.
/// </summary>
public sealed partial class KernelServer : IDisposable, IDisplayHost
{
    /// <summary>How long an interrupted cell may take to stop before the kernel abandons it and goes on.</summary>
    public static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(5);

    private const int PollMilliseconds = 200;

    private readonly ConnectionInfo _connection;
    private readonly MessageSigner _signer;
    private readonly string _session = Guid.NewGuid().ToString("N");
    private readonly ZmqContext _context = new();
    private readonly ZmqSocket _shell;
    private readonly ZmqSocket _control;
    private readonly ZmqSocket _stdin;
    private readonly ZmqSocket _iopub;
    private readonly ZmqSocket _heartbeat;
    private readonly Lock _iopubLock = new();
    private readonly ScriptSession _scripts = new();
    private readonly List<(int Line, string Input, string? Output)> _history = [];
    private readonly TextWriter _log;
    private readonly TextWriter _originalOut;
    private readonly TextWriter _originalError;
    private readonly StreamingWriter _stdout;
    private readonly StreamingWriter _stderr;
    private volatile JupyterMessage? _currentParent;
    private volatile CancellationTokenSource? _running;
    private long _interruptedAt;
    private volatile bool _stopping;
    private int _executionCount;

    private KernelServer(ConnectionInfo connection, TextWriter log)
    {
        _connection = connection;
        _signer = new MessageSigner(connection.Key);
        _log = log;
        _shell = Bound(ZmqNative.Router, connection.ShellPort);
        _control = Bound(ZmqNative.Router, connection.ControlPort);
        _stdin = Bound(ZmqNative.Router, connection.StdinPort);
        _iopub = Bound(ZmqNative.Pub, connection.IopubPort);
        _heartbeat = Bound(ZmqNative.Rep, connection.HeartbeatPort);
        _originalOut = Console.Out;
        _originalError = Console.Error;
        _stdout = new StreamingWriter("stdout", PublishStream);
        _stderr = new StreamingWriter("stderr", PublishStream);
    }

    /// <summary>Runs a kernel for a connection file until a shutdown request; returns the process exit code.</summary>
    public static int Run(string connectionFile)
    {
        var log = Console.Error;
        ConnectionInfo connection;
        try
        {
            connection = ConnectionInfo.Load(connectionFile);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            log.WriteLine($"bilevel kernel: {e.Message}");
            return 2;
        }

        using var server = new KernelServer(connection, log);
        server.Serve();
        return 0;
    }

    private ZmqSocket Bound(int type, int port)
    {
        var socket = new ZmqSocket(_context, type);
        if (type != ZmqNative.Pub)
        {
            socket.SetReceiveTimeout(PollMilliseconds);
        }

        socket.Bind(_connection.Endpoint(port));
        return socket;
    }

    private void Serve()
    {
        Console.SetOut(_stdout);
        Console.SetError(_stderr);
        Console.SetIn(new RejectingReader());
        Notebook.Host = this;
        var heartbeat = new Thread(HeartbeatLoop) { IsBackground = true, Name = "jupyter-heartbeat" };
        var control = new Thread(() => RequestLoop(_control, "control")) { IsBackground = true, Name = "jupyter-control" };
        heartbeat.Start();
        control.Start();
        Log($"listening ({_connection.Transport}://{_connection.Ip}, shell {_connection.ShellPort}, session {_session})");
        Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);
        _scripts.InitializeAsync().GetAwaiter().GetResult();
        RequestLoop(_shell, "shell");
        control.Join(TimeSpan.FromSeconds(2));
        heartbeat.Join(TimeSpan.FromSeconds(2));
        Console.SetOut(_originalOut);
        Console.SetError(_originalError);
        Notebook.Host = null;
    }

    private void HeartbeatLoop()
    {
        while (!_stopping)
        {
            var frames = _heartbeat.ReceiveMultipart();
            if (frames is not null)
            {
                _heartbeat.SendMultipart(frames);
            }
        }
    }

    private void RequestLoop(ZmqSocket socket, string channel)
    {
        while (!_stopping)
        {
            var frames = socket.ReceiveMultipart();
            if (frames is null)
            {
                continue;
            }

            JupyterMessage request;
            try
            {
                request = JupyterMessage.Parse(frames, _signer);
            }
            catch (InvalidDataException e)
            {
                Log($"{channel}: {e.Message}");
                continue;
            }

            try
            {
                Handle(socket, channel, request);
            }
#pragma warning disable CA1031 // The kernel must survive any request: log it and go on.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log($"{channel}: {request.MessageType} failed: {e}");
            }
        }
    }

    private void Handle(ZmqSocket socket, string channel, JupyterMessage request)
    {
        var type = request.MessageType;
        var isShell = channel == "shell";
        if (isShell)
        {
            Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
        }

        try
        {
            switch (type)
            {
                case "kernel_info_request":
                    Reply(socket, request, "kernel_info_reply", KernelInfo());
                    break;
                case "execute_request":
                    Execute(socket, request);
                    break;
                case "complete_request":
                    Reply(socket, request, "complete_reply", Complete(request.Content));
                    break;
                case "inspect_request":
                    Reply(socket, request, "inspect_reply", Inspect(request.Content));
                    break;
                case "is_complete_request":
                    var (status, indent) = ScriptSession.IsComplete(Text(request.Content, "code"));
                    var content = new JsonObject { ["status"] = status };
                    if (status == "incomplete")
                    {
                        content["indent"] = indent;
                    }

                    Reply(socket, request, "is_complete_reply", content);
                    break;
                case "history_request":
                    Reply(socket, request, "history_reply", History(request.Content));
                    break;
                case "comm_info_request":
                    Reply(socket, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                    break;
                case "interrupt_request":
                    Interrupt();
                    Reply(socket, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    break;
                case "shutdown_request":
                    var restart = request.Content["restart"]?.GetValue<bool>() ?? false;
                    Reply(socket, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
                    Log($"shutdown requested (restart: {restart})");
                    Interrupt();
                    _stopping = true;
                    break;
                case "comm_open" or "comm_msg" or "comm_close":
                    break;
                default:
                    Log($"{channel}: unknown message type '{type}' ignored");
                    break;
            }
        }
        finally
        {
            if (isShell)
            {
                Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
            }
        }
    }

    private static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "bilevel-csharp",
        ["implementation_version"] = typeof(KernelServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "csharp",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = $"C# (Bilevel) on .NET {Environment.Version}: Roslyn scripting with the Bilevel library imported",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    private void Execute(ZmqSocket socket, JupyterMessage request)
    {
        var code = Text(request.Content, "code");
        var silent = request.Content["silent"]?.GetValue<bool>() ?? false;
        var storeHistory = !silent && (request.Content["store_history"]?.GetValue<bool>() ?? true);
        if (storeHistory)
        {
            _executionCount++;
        }

        var count = Math.Max(_executionCount, 1);
        _currentParent = request;
        if (!silent)
        {
            Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);
        }

        var outcome = RunCell(code, count);
        _stdout.Flush();
        _stderr.Flush();
        JsonObject reply;
        string? output = null;
        if (outcome.Succeeded)
        {
            if (outcome.HasValue && !silent)
            {
                var bundle = ValueFormatter.Format(outcome.Value);
                output = bundle.ToString();
                Publish("execute_result", new JsonObject
                {
                    ["execution_count"] = count,
                    ["data"] = BundleJson(bundle),
                    ["metadata"] = new JsonObject(),
                }, request);
            }

            reply = new JsonObject
            {
                ["status"] = "ok",
                ["execution_count"] = count,
                ["payload"] = new JsonArray(),
                ["user_expressions"] = new JsonObject(),
            };
        }
        else
        {
            var (name, value, traceback) = Describe(outcome, count);
            var error = new JsonObject
            {
                ["ename"] = name,
                ["evalue"] = value,
                ["traceback"] = new JsonArray(traceback.Select(line => (JsonNode?)JsonValue.Create(line)).ToArray()),
            };
            if (!silent)
            {
                Publish("error", (JsonObject)error.DeepClone(), request);
            }

            reply = error;
            reply["status"] = "error";
            reply["execution_count"] = count;
        }

        if (storeHistory)
        {
            _history.Add((count, code, output));
        }

        Reply(socket, request, "execute_reply", reply);
    }

    private CellOutcome RunCell(string code, int count)
    {
        var cancellation = Notebook.BeginCancellationScope();
        _running = cancellation;
        try
        {
            var task = Task.Run(() => _scripts.ExecuteAsync(code, $"cell[{count}]", cancellation.Token));
            while (!task.Wait(50))
            {
                var interruptedAt = Interlocked.Read(ref _interruptedAt);
                if (cancellation.IsCancellationRequested && interruptedAt != 0
                    && Stopwatch.GetElapsedTime(interruptedAt) > AbandonAfter)
                {
                    _scripts.Abandon();
                    Log($"cell[{count}] did not stop within {AbandonAfter.TotalSeconds} s of the interrupt; abandoned (its thread keeps running)");
                    return new CellOutcome(false, null, null, [], Interrupted: true);
                }
            }

            return task.GetAwaiter().GetResult();
        }
        catch (NotSupportedException e)
        {
            return new CellOutcome(false, null, e, [], false);
        }
        finally
        {
            _running = null;
            Interlocked.Exchange(ref _interruptedAt, 0);
        }
    }

    private void Interrupt()
    {
        var running = _running;
        if (running is not null)
        {
            Interlocked.Exchange(ref _interruptedAt, Stopwatch.GetTimestamp());
            Log("interrupt: cancelling the running cell");
            running.Cancel();
        }
    }

    private static (string Name, string Value, List<string> Traceback) Describe(CellOutcome outcome, int count)
    {
        if (outcome.Interrupted)
        {
            return ("Interrupted", "the cell was interrupted", ["Interrupted: the cell was interrupted"]);
        }

        if (!outcome.Errors.IsDefaultOrEmpty)
        {
            var lines = outcome.Errors.Select(d =>
            {
                var position = d.Location.GetLineSpan().StartLinePosition;
                return $"cell[{count}] line {position.Line + 1}, column {position.Character + 1}: error {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
            }).ToList();
            return ("CompilationError", lines[0], lines);
        }

        var exception = outcome.Exception!;
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }

        var traceback = new List<string> { $"{exception.GetType().FullName}: {exception.Message}" };
        foreach (var frame in (exception.StackTrace ?? "").Split('\n'))
        {
            var line = frame.TrimEnd();
            if (line.Length == 0 || line.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)
                || line.Contains("System.Runtime.CompilerServices", StringComparison.Ordinal)
                || line.Contains("System.Threading.Tasks", StringComparison.Ordinal)
                || line.Contains("--- End of stack trace", StringComparison.Ordinal))
            {
                continue;
            }

            traceback.Add(CellFrame().Replace(SubmissionFrame().Replace(line, "<cell>"), " in cell["));
        }

        return (exception.GetType().Name, exception.Message, traceback);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Submission#\d+\.<<Initialize>>d__\d+\.MoveNext\(\)")]
    private static partial System.Text.RegularExpressions.Regex SubmissionFrame();

    [System.Text.RegularExpressions.GeneratedRegex(@" in [^ ]*/cell\[")]
    private static partial System.Text.RegularExpressions.Regex CellFrame();

    private JsonObject Complete(JsonObject content)
    {
        var code = Text(content, "code");
        var cursor = ToUtf16Index(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length);
        var (matches, start) = _scripts.Complete(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(matches.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["cursor_start"] = ToCodePointIndex(code, start),
            ["cursor_end"] = ToCodePointIndex(code, cursor),
            ["metadata"] = new JsonObject(),
        };
    }

    private JsonObject Inspect(JsonObject content)
    {
        var code = Text(content, "code");
        var cursor = ToUtf16Index(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length);
        var text = _scripts.Inspect(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["found"] = text is not null,
            ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text },
            ["metadata"] = new JsonObject(),
        };
    }

    private JsonObject History(JsonObject content)
    {
        var output = content["output"]?.GetValue<bool>() ?? false;
        var access = content["hist_access_type"]?.GetValue<string>() ?? "tail";
        IEnumerable<(int Line, string Input, string? Output)> entries = _history;
        switch (access)
        {
            case "tail":
                var n = content["n"]?.GetValue<int>() ?? 10;
                entries = _history.Skip(Math.Max(0, _history.Count - n));
                break;
            case "range":
                var start = content["start"]?.GetValue<int>() ?? 0;
                var stop = content["stop"]?.GetValue<int>() ?? int.MaxValue;
                entries = _history.Where(e => e.Line >= start && e.Line < stop);
                break;
            case "search":
                var pattern = content["pattern"]?.GetValue<string>() ?? "*";
                var regex = new System.Text.RegularExpressions.Regex(
                    "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
                    System.Text.RegularExpressions.RegexOptions.Singleline);
                var found = _history.Where(e => regex.IsMatch(e.Input));
                if (content["unique"]?.GetValue<bool>() ?? false)
                {
                    found = found.GroupBy(e => e.Input, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(e => e.Line);
                }

                var limit = content["n"]?.GetValue<int>();
                var list = found.ToList();
                entries = limit is { } m ? list.Skip(Math.Max(0, list.Count - m)) : list;
                break;
            default:
                entries = [];
                break;
        }

        var history = new JsonArray();
        foreach (var (line, input, result) in entries)
        {
            JsonNode? item = output ? new JsonArray(input, result) : JsonValue.Create(input);
            history.Add(new JsonArray(1, line, item));
        }

        return new JsonObject { ["status"] = "ok", ["history"] = history };
    }

    /// <inheritdoc />
    public void Publish(object? value, string displayId, bool update)
    {
        _stdout.Flush();
        _stderr.Flush();
        var bundle = ValueFormatter.Format(value);
        Publish(update ? "update_display_data" : "display_data", new JsonObject
        {
            ["data"] = BundleJson(bundle),
            ["metadata"] = new JsonObject(),
            ["transient"] = new JsonObject { ["display_id"] = displayId },
        }, _currentParent);
    }

    private static JsonObject BundleJson(MimeBundle bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, value) in bundle.Data)
        {
            if (MimeBundle.IsJsonMimeType(mime))
            {
                try
                {
                    data[mime] = JsonNode.Parse(value);
                }
                catch (System.Text.Json.JsonException)
                {
                    data[mime] = value;
                }
            }
            else
            {
                data[mime] = value;
            }
        }

        return data;
    }

    private void PublishStream(string name, string text) =>
        Publish("stream", new JsonObject { ["name"] = name, ["text"] = text }, _currentParent);

    private void Publish(string type, JsonObject content, JupyterMessage? parent)
    {
        var message = JupyterMessage.Create(type, content, parent, _session, identities: [System.Text.Encoding.UTF8.GetBytes(type)]);
        var frames = message.ToFrames(_signer);
        lock (_iopubLock)
        {
            _iopub.SendMultipart(frames);
        }
    }

    private void Reply(ZmqSocket socket, JupyterMessage request, string type, JsonObject content)
    {
        var message = JupyterMessage.Create(type, content, request, _session);
        socket.SendMultipart(message.ToFrames(_signer));
    }

    private static string Text(JsonObject content, string key) => content[key]?.GetValue<string>() ?? "";

    /// <summary>Jupyter cursors count Unicode code points (protocol ≥ 5.2); .NET strings count UTF-16 units.</summary>
    internal static int ToUtf16Index(string text, int codePoints)
    {
        var index = 0;
        for (var i = 0; i < codePoints && index < text.Length; i++)
        {
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length ? 2 : 1;
        }

        return index;
    }

    internal static int ToCodePointIndex(string text, int utf16)
    {
        var count = 0;
        for (var i = 0; i < utf16 && i < text.Length; i++)
        {
            if (!char.IsLowSurrogate(text[i]))
            {
                count++;
            }
        }

        return count;
    }

    private void Log(string message) => _log.WriteLine($"[bilevel-kernel {DateTime.UtcNow:HH:mm:ss.fff}] {message}");

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        _shell.Dispose();
        _control.Dispose();
        _stdin.Dispose();
        _iopub.Dispose();
        _heartbeat.Dispose();
        _context.Dispose();
    }

    /// <summary>stdin: input requests are not supported; reading throws one clear error instead of hanging.</summary>
    private sealed class RejectingReader : TextReader
    {
        public override int Peek() => throw Unsupported();

        public override int Read() => throw Unsupported();

        public override string? ReadLine() => throw Unsupported();

        private static InvalidOperationException Unsupported() =>
            new("reading stdin is not supported in the bilevel-csharp kernel: pass values in code");
    }
}
