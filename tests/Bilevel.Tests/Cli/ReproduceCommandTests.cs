namespace Bilevel.Tests.Cli;

/// <summary><c>bilevel reproduce hyper-cleaning</c>: bad input fails on one line before any work.</summary>
[Collection(ConsoleTests.Name)]
public sealed class ReproduceCommandTests
{
    [Fact]
    public async Task ReproduceHyperCleaning_UnknownProfile_ExitsTwoWithOneLineNamingIt()
    {
        var (code, output, error) = await CliHarness.RunAsync("reproduce", "hyper-cleaning", "--profile", "huge");
        Assert.Equal(2, code);
        Assert.Empty(output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("--profile 'huge' is not a profile", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReproduceNewsgroups_UnknownProfile_ExitsTwoWithOneLineNamingIt()
    {
        var (code, output, error) = await CliHarness.RunAsync("reproduce", "newsgroups", "--profile", "tiny");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--profile 'tiny' is not a profile", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReproduceReviews_UnknownProfile_ExitsTwoWithOneLineNamingIt()
    {
        var (code, output, error) = await CliHarness.RunAsync("reproduce", "reviews", "--profile", "full");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--profile 'full' is not a profile", error, StringComparison.Ordinal);
    }
}
