using Bilevel.Traces;

namespace Bilevel.Tests.Traces;

public sealed class TraceMetricsTests
{
    [Theory]
    [InlineData("test accuracy", 0)]
    [InlineData("cleaning AUC", 2)]
    [InlineData("Cleaning AUC", -1)] // ordinal: case matters
    [InlineData("missing", -1)]
    [InlineData(null, -1)]
    public void IndexOf_Names_PositionOrMinusOne(string? name, int expected) =>
        Assert.Equal(expected, TraceMetrics.IndexOf(["test accuracy", "test loss", "cleaning AUC"], name));
}
