using System.Text;

namespace Bilevel.Kernel.Execution;

/// <summary>
/// Console.Out / Console.Error while the kernel runs: text is buffered and handed to <c>publish</c> (a Jupyter
/// <c>stream</c> message) by a background flusher every <see cref="FlushInterval"/>, so a long cell's output appears
/// while it runs; <see cref="Flush"/> sends what is left synchronously.
/// </summary>
internal sealed class StreamingWriter : TextWriter
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly StringBuilder _buffer = new();
    private readonly Action<string, string> _publish;
    private readonly Lock _lock = new();
    private readonly Lock _publishLock = new();
    private readonly Timer _timer;

    /// <param name="name"><c>stdout</c> or <c>stderr</c>.</param>
    /// <param name="publish">Called with (name, text) off the writer's lock.</param>
    public StreamingWriter(string name, Action<string, string> publish)
    {
        Name = name;
        _publish = publish;
        _timer = new Timer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    public string Name { get; }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _buffer.Append(value);
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        lock (_lock)
        {
            _buffer.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_lock)
        {
            _buffer.Append(buffer, index, count);
        }
    }

    public override void Flush()
    {
        // One flusher at a time, so chunks leave in the order they were written.
        lock (_publishLock)
        {
            string text;
            lock (_lock)
            {
                if (_buffer.Length == 0)
                {
                    return;
                }

                text = _buffer.ToString();
                _buffer.Clear();
            }

            _publish(Name, text);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer.Dispose();
            Flush();
        }

        base.Dispose(disposing);
    }
}
