namespace Bilevel.Interactive;

/// <summary>
/// What library code and notebook cells use to talk to the notebook front end without depending on a kernel:
/// <see cref="Display"/> publishes a value (and returns a handle that updates it in place), and
/// <see cref="CancellationToken"/> is cancelled when the user interrupts the running cell. Outside a kernel,
/// displays print their <c>text/plain</c> form to the console and the token follows <see cref="Console.CancelKeyPress"/>
/// only where the host wires it.
/// </summary>
public static class Notebook
{
    private static IDisplayHost? _host;
    private static CancellationTokenSource _cancellation = new();

    /// <summary>The host that publishes displays (set by the kernel); null outside a notebook.</summary>
    public static IDisplayHost? Host
    {
        get => Volatile.Read(ref _host);
        set => Volatile.Write(ref _host, value);
    }

    /// <summary>Cancelled when the running cell is interrupted; long-running library code observes it.</summary>
    public static CancellationToken CancellationToken => Volatile.Read(ref _cancellation).Token;

    /// <summary>Throws <see cref="OperationCanceledException"/> when the running cell was interrupted.</summary>
    public static void ThrowIfCancellationRequested() => Volatile.Read(ref _cancellation).Token.ThrowIfCancellationRequested();

    /// <summary>Starts a new cancellation scope (the kernel calls this before each cell) and returns its source.</summary>
    public static CancellationTokenSource BeginCancellationScope()
    {
        var next = new CancellationTokenSource();
        var previous = Interlocked.Exchange(ref _cancellation, next);
        previous.Dispose();
        return next;
    }

    /// <summary>Publishes <paramref name="value"/> as a display and returns a handle to update it in place.</summary>
    public static DisplayHandle Display(object? value)
    {
        var handle = new DisplayHandle(Guid.NewGuid().ToString("N"));
        handle.Publish(value, update: false);
        return handle;
    }
}

/// <summary>Publishes displays to a notebook front end (implemented by the kernel).</summary>
public interface IDisplayHost
{
    /// <summary>Publishes <paramref name="value"/> as <c>display_data</c>, or as <c>update_display_data</c> when <paramref name="update"/>.</summary>
    void Publish(object? value, string displayId, bool update);
}

/// <summary>A published display that can be replaced in place (Jupyter <c>display_id</c>).</summary>
public sealed class DisplayHandle
{
    internal DisplayHandle(string displayId) => DisplayId = displayId;

    /// <summary>The Jupyter display id.</summary>
    public string DisplayId { get; }

    /// <summary>Replaces the displayed value.</summary>
    public void Update(object? value) => Publish(value, update: true);

    internal void Publish(object? value, bool update)
    {
        var host = Notebook.Host;
        if (host is null)
        {
            Console.WriteLine(value is IMimeBundleSource source ? source.ToMimeBundle().ToString() : value?.ToString() ?? "null");
            return;
        }

        host.Publish(value, DisplayId, update);
    }

    public override string ToString() => $"display {DisplayId}";
}
