namespace Bilevel.Tests.TestSupport;

/// <summary>Steady-state allocation measurement for "does not allocate" tests.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="warmups"/> times, then measures the bytes the calling thread
    /// allocates over <paramref name="windows"/> windows of <paramref name="repeats"/> calls each and returns the
    /// smallest window. A call that allocates in steady state allocates in every window, so the minimum is non-zero;
    /// a one-off allocation by the runtime (a tier-up, a lazily created runtime object while other tests run in
    /// parallel) lands in one window only and does not fail the test.
    /// </summary>
    public static long SteadyState(Action action, int warmups = 3, int windows = 3, int repeats = 3)
    {
        ArgumentNullException.ThrowIfNull(action);
        for (var i = 0; i < warmups; i++)
        {
            action();
        }

        var least = long.MaxValue;
        for (var w = 0; w < windows; w++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < repeats; i++)
            {
                action();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
