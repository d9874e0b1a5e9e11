using Bilevel.Experiments;
using Bilevel.Interactive;

namespace Bilevel.Tests.Interactive;

public sealed class ExperimentProfileTests
{
    [Theory]
    [InlineData("smoke", ExperimentProfile.Smoke)]
    [InlineData("PAPER", ExperimentProfile.Paper)]
    [InlineData("", ExperimentProfile.Default)]
    [InlineData(null, ExperimentProfile.Default)]
    public void Parse_KnownNames_ReturnsProfile(string? text, ExperimentProfile expected) =>
        Assert.Equal(expected, ExperimentProfiles.Parse(text));

    [Fact]
    public void Parse_Unknown_GivesOneLineErrorNamingValueAndChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => ExperimentProfiles.Parse("fast", "BILEVEL_PROFILE"));
        Assert.Equal("BILEVEL_PROFILE 'fast' is not a profile: use smoke, default or paper", error.Message);
    }

    [Fact]
    public void Choose_PicksByProfile() => Assert.Equal(3, ExperimentProfile.Paper.Choose(1, 2, 3));

    [Fact]
    public void ClaimTable_FailedClaim_EnsureAllHoldThrowsWithEvidence()
    {
        var table = new ClaimTable("t", [new ClaimCheck("a holds", "1", true), new ClaimCheck("b holds", "measured 2", false)]);
        Assert.False(table.AllHold);
        var error = Assert.Throws<ClaimFailedException>(table.EnsureAllHold);
        Assert.Equal("t: 1 of 2 claims do not hold: b holds — measured: measured 2", error.Message);
        Assert.Contains("❌", table.ToMimeBundle().Data[MimeBundle.Html], StringComparison.Ordinal);
    }

    [Fact]
    public void Display_WithoutHost_PrintsPlainText()
    {
        var previous = Console.Out;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            Notebook.Host = null;
            var handle = Notebook.Display("hello");
            handle.Update("again");
        }
        finally
        {
            Console.SetOut(previous);
        }

        Assert.Equal("hello\nagain\n", writer.ToString());
    }

    [Fact]
    public void ProgressBar_Reports_UpdateOneDisplayInPlace()
    {
        var host = new RecordingHost();
        Notebook.Host = host;
        try
        {
            var bar = new ProgressBar("run", 3);
            bar.Report("a");
            bar.Report("b");
            Assert.Equal(2, host.Calls.Count);
            Assert.False(host.Calls[0].Update);
            Assert.True(host.Calls[1].Update);
            Assert.Equal(host.Calls[0].Id, host.Calls[1].Id);
            Assert.Equal("run: 2/3 (67%) b", bar.ToString());
            Assert.Contains("<progress value=\"2\" max=\"3\"", bar.ToMimeBundle().Data[MimeBundle.Html], StringComparison.Ordinal);
        }
        finally
        {
            Notebook.Host = null;
        }
    }

    private sealed class RecordingHost : IDisplayHost
    {
        public List<(string Id, bool Update)> Calls { get; } = [];

        public void Publish(object? value, string displayId, bool update) => Calls.Add((displayId, update));
    }
}
