using System.Runtime.InteropServices;

namespace Bilevel.Kernel.ZeroMq;

/// <summary>
/// The few libzmq (≥ 4.x, Debian <c>libzmq5</c>) entry points the kernel uses, bound with P/Invoke. No managed
/// ZeroMQ package is served here, and the C API is small and stable.
/// </summary>
internal static unsafe partial class ZmqNative
{
    private const string Library = "libzmq.so.5";

    public const int Pub = 1;
    public const int Sub = 2;
    public const int Rep = 4;
    public const int Dealer = 5;
    public const int Router = 6;

    public const int SendMore = 2;
    public const int DontWait = 1;

    public const int OptionIdentity = 5;
    public const int OptionSubscribe = 6;
    public const int OptionLinger = 17;
    public const int OptionReceiveTimeout = 27;
    public const int OptionRouterHandover = 56;

    public const int ErrorAgain = 11;
    public const int ErrorInterrupted = 4;

    /// <summary>zmq_msg_t: 64 opaque bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 64)]
    public struct Message
    {
        private readonly long _first;
    }

    [LibraryImport(Library, EntryPoint = "zmq_ctx_new")]
    public static partial nint ContextNew();

    [LibraryImport(Library, EntryPoint = "zmq_ctx_term")]
    public static partial int ContextTerminate(nint context);

    [LibraryImport(Library, EntryPoint = "zmq_socket")]
    public static partial nint Socket(nint context, int type);

    [LibraryImport(Library, EntryPoint = "zmq_close")]
    public static partial int Close(nint socket);

    [LibraryImport(Library, EntryPoint = "zmq_bind", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Bind(nint socket, string endpoint);

    [LibraryImport(Library, EntryPoint = "zmq_connect", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Connect(nint socket, string endpoint);

    [LibraryImport(Library, EntryPoint = "zmq_setsockopt")]
    public static partial int SetOption(nint socket, int option, void* value, nuint length);

    [LibraryImport(Library, EntryPoint = "zmq_send")]
    public static partial int Send(nint socket, byte* buffer, nuint length, int flags);

    [LibraryImport(Library, EntryPoint = "zmq_msg_init")]
    public static partial int MessageInit(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_recv")]
    public static partial int MessageReceive(Message* message, nint socket, int flags);

    [LibraryImport(Library, EntryPoint = "zmq_msg_data")]
    public static partial byte* MessageData(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_size")]
    public static partial nuint MessageSize(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_more")]
    public static partial int MessageMore(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_msg_close")]
    public static partial int MessageClose(Message* message);

    [LibraryImport(Library, EntryPoint = "zmq_errno")]
    public static partial int Errno();

    [LibraryImport(Library, EntryPoint = "zmq_strerror")]
    public static partial nint StrError(int error);

    public static string LastError()
    {
        var code = Errno();
        return $"{Marshal.PtrToStringUTF8(StrError(code))} (errno {code})";
    }
}
