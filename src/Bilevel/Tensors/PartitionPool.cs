namespace Bilevel.Tensors;

/// <summary>Work split into a fixed number of independent partitions (each writes only its own outputs).</summary>
internal interface IPartitionedWork
{
    /// <summary>Computes partition <paramref name="partition"/>.</summary>
    void Run(int partition);
}

/// <summary>
/// Runs the partitions of an <see cref="IPartitionedWork"/> on the calling thread and up to <c>threads − 1</c>
/// persistent background workers, without allocating. Partitions are claimed dynamically, so which thread computes
/// which partition varies, but each partition's result does not depend on that: callers that reduce partition
/// results in partition order get the same bits for any thread count. One run at a time; a caller that finds the
/// pool busy (or asks for one thread) computes every partition itself.
/// </summary>
internal static class PartitionPool
{
    private const long Closed = 0x7FFF_FFFF;
    private static readonly TimeSpan SpinTime = TimeSpan.FromMilliseconds(0.5);
    private static readonly Lock Gate = new();
    private static readonly Lock CreateLock = new();
    private static SemaphoreSlim[] _wake = [];
    private static IPartitionedWork? _work;
    private static int _count;
    private static int _done;
    private static long _ticket = Closed;
    private static long _generation;
    private static Exception? _failure;

    [ThreadStatic]
    private static bool _running;

    /// <summary>Runs partitions 0 … <paramref name="partitions"/> − 1 of <paramref name="work"/> on at most <paramref name="threads"/> threads.</summary>
    public static void Run(IPartitionedWork work, int partitions, int threads)
    {
        ArgumentNullException.ThrowIfNull(work);
        var helpers = Math.Min(threads, partitions) - 1;

        // A partition that itself runs partitioned work (an engine operation inside a partition) runs it inline, so a
        // nested job never replaces the running one.
        if (helpers <= 0 || _running || !Gate.TryEnter())
        {
            for (var p = 0; p < partitions; p++)
            {
                work.Run(p);
            }

            return;
        }

        try
        {
            _running = true;
            EnsureWorkers(helpers);

            // Close the previous generation before changing the job, publish the job, then open it: a worker claims a
            // partition only with a compare-exchange on the ticket it read, so it never runs one job's partition
            // with another job's fields.
            var generation = ++_generation;
            Interlocked.Exchange(ref _ticket, (generation << 32) | Closed);
            _work = work;
            _count = partitions;
            _done = 0;
            _failure = null;
            Interlocked.Exchange(ref _ticket, generation << 32);
            for (var h = 0; h < helpers; h++)
            {
                _wake[h].Release();
            }

            Claim();
            var spin = default(SpinWait);
            while (Volatile.Read(ref _done) < partitions)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            Interlocked.Exchange(ref _ticket, (generation << 32) | Closed);
            _work = null;
            if (_failure is { } failure)
            {
                throw new AggregateException(failure);
            }
        }
        finally
        {
            _running = false;
            Gate.Exit();
        }
    }

    /// <summary>Claims and runs partitions of the open job until none is left.</summary>
    private static void Claim()
    {
        while (true)
        {
            var ticket = Volatile.Read(ref _ticket);
            var next = ticket & 0xFFFF_FFFF;
            var work = _work;
            var count = _count;
            if (next >= Closed || work is null || next >= count)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket)
            {
                continue;
            }

            try
            {
                work.Run((int)next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }

            Interlocked.Increment(ref _done);
        }
    }

    private static void EnsureWorkers(int helpers)
    {
        if (_wake.Length >= helpers)
        {
            return;
        }

        lock (CreateLock)
        {
            var wake = new SemaphoreSlim[helpers];
            Array.Copy(_wake, wake, _wake.Length);
            for (var h = _wake.Length; h < helpers; h++)
            {
                var signal = new SemaphoreSlim(0);
                wake[h] = signal;
                var thread = new Thread(() => Loop(signal)) { IsBackground = true, Name = $"bilevel-partition-{h + 1}" };
                thread.Start();
            }

            _wake = wake;
        }
    }

    /// <summary>
    /// Waits for work, spinning for up to <see cref="SpinTime"/> before blocking: a solver's oracle calls follow each
    /// other within microseconds, and a blocked thread takes tens of microseconds (more on a busy machine) to wake.
    /// </summary>
    private static void Loop(SemaphoreSlim signal)
    {
        while (true)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            while (!signal.Wait(0))
            {
                if (System.Diagnostics.Stopwatch.GetElapsedTime(start) > SpinTime)
                {
                    signal.Wait();
                    break;
                }

                Thread.SpinWait(20);
            }

            Claim();
        }
    }
}
