namespace Bilevel.Kernel.ZeroMq;

/// <summary>A ZeroMQ context: owns the I/O threads behind every socket made from it.</summary>
internal sealed class ZmqContext : IDisposable
{
    public ZmqContext()
    {
        Handle = ZmqNative.ContextNew();
        if (Handle == 0)
        {
            throw new InvalidOperationException($"libzmq: cannot create a context: {ZmqNative.LastError()}");
        }
    }

    public nint Handle { get; private set; }

    public void Dispose()
    {
        if (Handle != 0)
        {
            _ = ZmqNative.ContextTerminate(Handle);
            Handle = 0;
        }
    }
}

/// <summary>
/// One ZeroMQ socket. Not thread-safe (ZeroMQ sockets are not): the owner serializes use, e.g. with a lock around
/// whole multipart sends.
/// </summary>
internal sealed unsafe class ZmqSocket : IDisposable
{
    private nint _handle;

    public ZmqSocket(ZmqContext context, int type)
    {
        ArgumentNullException.ThrowIfNull(context);
        _handle = ZmqNative.Socket(context.Handle, type);
        if (_handle == 0)
        {
            throw new InvalidOperationException($"libzmq: cannot create a socket: {ZmqNative.LastError()}");
        }

        SetInt(ZmqNative.OptionLinger, 1000);
    }

    /// <summary>Binds to an endpoint such as <c>tcp://127.0.0.1:5555</c>.</summary>
    public void Bind(string endpoint)
    {
        if (ZmqNative.Bind(_handle, endpoint) != 0)
        {
            throw new InvalidOperationException($"libzmq: cannot bind {endpoint}: {ZmqNative.LastError()}");
        }
    }

    /// <summary>Connects to an endpoint (used by the tests' client).</summary>
    public void Connect(string endpoint)
    {
        if (ZmqNative.Connect(_handle, endpoint) != 0)
        {
            throw new InvalidOperationException($"libzmq: cannot connect {endpoint}: {ZmqNative.LastError()}");
        }
    }

    /// <summary>Receive calls return null after this many milliseconds without a message (−1: wait forever).</summary>
    public void SetReceiveTimeout(int milliseconds) => SetInt(ZmqNative.OptionReceiveTimeout, milliseconds);

    /// <summary>Subscribes a SUB socket to every topic.</summary>
    public void SubscribeAll() => _ = ZmqNative.SetOption(_handle, ZmqNative.OptionSubscribe, null, 0);

    public void SetInt(int option, int value)
    {
        if (ZmqNative.SetOption(_handle, option, &value, sizeof(int)) != 0)
        {
            throw new InvalidOperationException($"libzmq: cannot set option {option}: {ZmqNative.LastError()}");
        }
    }

    /// <summary>Sends the frames as one multipart message.</summary>
    public void SendMultipart(IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        for (var i = 0; i < frames.Count; i++)
        {
            var flags = i < frames.Count - 1 ? ZmqNative.SendMore : 0;
            var frame = frames[i];
            fixed (byte* data = frame)
            {
                while (ZmqNative.Send(_handle, data, (nuint)frame.Length, flags) < 0)
                {
                    if (ZmqNative.Errno() != ZmqNative.ErrorInterrupted)
                    {
                        throw new InvalidOperationException($"libzmq: send failed: {ZmqNative.LastError()}");
                    }
                }
            }
        }
    }

    /// <summary>Receives one multipart message, or null when the receive timeout passes first.</summary>
    public List<byte[]>? ReceiveMultipart()
    {
        var frames = new List<byte[]>();
        ZmqNative.Message message;
        while (true)
        {
            _ = ZmqNative.MessageInit(&message);
            var received = ZmqNative.MessageReceive(&message, _handle, 0);
            if (received < 0)
            {
                var error = ZmqNative.Errno();
                _ = ZmqNative.MessageClose(&message);
                if (frames.Count == 0 && (error == ZmqNative.ErrorAgain || error == ZmqNative.ErrorInterrupted))
                {
                    return null;
                }

                if (error == ZmqNative.ErrorInterrupted)
                {
                    continue;
                }

                throw new InvalidOperationException($"libzmq: receive failed: {ZmqNative.LastError()}");
            }

            var size = (int)ZmqNative.MessageSize(&message);
            var frame = new ReadOnlySpan<byte>(ZmqNative.MessageData(&message), size).ToArray();
            var more = ZmqNative.MessageMore(&message) != 0;
            _ = ZmqNative.MessageClose(&message);
            frames.Add(frame);
            if (!more)
            {
                return frames;
            }
        }
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            _ = ZmqNative.Close(_handle);
            _handle = 0;
        }
    }
}
