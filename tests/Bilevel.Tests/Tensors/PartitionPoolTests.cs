using Bilevel.Tensors;

namespace Bilevel.Tests.Tensors;

/// <summary>The allocation-free partition pool: every partition runs once, also when a partition runs partitioned work itself.</summary>
public sealed class PartitionPoolTests
{
    [Fact]
    public void Run_TwoThreads_RunsEveryPartitionOnce()
    {
        var work = new Counting(37);
        PartitionPool.Run(work, 37, 2);
        Assert.All(work.Counts, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task Run_NestedInsideAPartition_RunsBothJobsCompletely()
    {
        // Without the pool's guard the nested job replaces the running one and the outer run never finishes.
        var outer = new Nesting(8, 5);
        var run = Task.Run(() => PartitionPool.Run(outer, 8, 2));
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.All(outer.Counts, count => Assert.Equal(1, count));
        for (var p = 0; p < 8; p++)
        {
            Assert.All(outer.Inner[p].Counts, count => Assert.Equal(1, count));
        }
    }

    private sealed class Counting(int partitions) : IPartitionedWork
    {
        public int[] Counts { get; } = new int[partitions];

        public void Run(int partition) => Interlocked.Increment(ref Counts[partition]);
    }

    private sealed class Nesting : IPartitionedWork
    {
        private readonly int _innerPartitions;

        public Nesting(int partitions, int innerPartitions)
        {
            _innerPartitions = innerPartitions;
            Counts = new int[partitions];
            Inner = new Counting[partitions];
            for (var p = 0; p < partitions; p++)
            {
                Inner[p] = new Counting(innerPartitions);
            }
        }

        public int[] Counts { get; }

        public Counting[] Inner { get; }

        public void Run(int partition)
        {
            Interlocked.Increment(ref Counts[partition]);
            PartitionPool.Run(Inner[partition], _innerPartitions, 2);
        }
    }
}
