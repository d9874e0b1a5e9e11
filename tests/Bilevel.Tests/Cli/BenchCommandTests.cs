using Bilevel.Benchmarks;

namespace Bilevel.Tests.Cli;

/// <summary>
/// <c>bilevel bench engine</c>'s argument errors (which are reported before anything is timed) and the timing harness
/// on a tiny model; the full benchmark is too slow for the test suite.
/// </summary>
[Collection(ConsoleTests.Name)]
public sealed class BenchCommandTests
{
    [Theory]
    [InlineData("0", "bilevel: --repeats must be a positive integer, got 0")]
    [InlineData("-3", "bilevel: --repeats must be a positive integer, got -3")]
    public async Task BenchEngine_NonPositiveRepeats_ExitsTwoWithOneLineError(string repeats, string expected)
    {
        var (code, output, error) = await CliHarness.RunAsync("bench", "engine", "--repeats", repeats);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal([expected], error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task BenchEngine_ZeroThreads_ExitsTwoWithOneLineError()
    {
        var (code, output, error) = await CliHarness.RunAsync("bench", "engine", "--repeats", "1", "--threads", "0");

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal(["bilevel: --threads must be a positive integer, got 0"], error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task BenchEngine_NonNumericRepeats_ExitsTwoWithParseError()
    {
        var (code, output, error) = await CliHarness.RunAsync("bench", "engine", "--repeats", "often");

        Assert.Equal(2, code);
        Assert.Empty(output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("bilevel: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("often", lines[0], StringComparison.Ordinal);
    }
}

/// <summary>Timings run alone (a non-parallel collection), so that other tests do not share the cores being timed.</summary>
[Collection(TimingTests.Name)]
public sealed class EngineBenchmarkTimingTests
{
    [Fact]
    public void Time_TinySoftmaxRegression_ReportsPositiveTimesAndSteadyStateAllocation()
    {
        var model = EngineBenchmark.SoftmaxRegression<float>(samples: 50, features: 20, classes: 3);

        // Many repeats: a pass takes microseconds, and the median of 31 is robust to a few preempted ones.
        var timing = EngineBenchmark.Time(model, repeats: 31, warmup: 5);

        Assert.Equal("softmax regression 50×20×3", timing.Model);
        Assert.True(timing.GradientMilliseconds > 0, $"gradient {timing.GradientMilliseconds} ms");
        Assert.True(timing.SecondOrderMilliseconds > 0, $"second order {timing.SecondOrderMilliseconds} ms");
        Assert.Equal(timing.SecondOrderMilliseconds / timing.GradientMilliseconds, timing.Ratio, 12);

        // No bound on the ratio itself: speed is measured by the benchmarks (bench/, `bilevel bench engine`), not by
        // timed unit tests, which share the CPU with the rest of the suite (a 4× ratio was seen under load).

        // Steady state reuses the arena (see GraphArenaTests): each pass allocates only per-pass objects.
        Assert.InRange(timing.GradientAllocatedBytes, 0, 64 * 1024);
        Assert.InRange(timing.SecondOrderAllocatedBytes, 0, 64 * 1024);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Time_NonPositiveRepeats_ThrowsArgumentOutOfRange(int repeats)
    {
        var model = EngineBenchmark.SoftmaxRegression<float>(samples: 5, features: 4, classes: 2);

        // The harness reports the median of `repeats` timings; with none there is no median to report.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => EngineBenchmark.Time(model, repeats: repeats, warmup: 0));
        Assert.Equal("repeats", e.ParamName);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingTests
{
    public const string Name = "timing";
}
