using System.Diagnostics;

namespace Bilevel.Benchmarks;

/// <summary>Median wall-clock time and managed allocation of one operation (after warm-up calls), shared by the benchmarks.</summary>
internal static class OperationTimer
{
    public static OperationTiming Median(string name, int repeats, Action action, int warmup = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        for (var i = 0; i < warmup; i++)
        {
            action();
        }

        var times = new double[repeats];
        var bytes = new long[repeats];
        for (var r = 0; r < repeats; r++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            action();
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            bytes[r] = GC.GetAllocatedBytesForCurrentThread() - allocated;
        }

        Array.Sort(times);
        Array.Sort(bytes);
        return new OperationTiming(name, times[repeats / 2], bytes[repeats / 2]);
    }
}
