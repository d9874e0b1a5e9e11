namespace Bilevel.Tests.Cli;

/// <summary><c>bilevel reproduce …</c>: bad input fails on one line before any work; the reviews budget study runs end to end at the smoke profile.</summary>
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

    [Fact]
    public async Task ReproduceReviewsBudget_UnknownProfile_ExitsTwoWithOneLineNamingIt()
    {
        var (code, output, error) = await CliHarness.RunAsync("reproduce", "reviews-budget", "--profile", "long");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--profile 'long' is not a profile", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReproduceReviewsBudget_SmokeJson_PrintsTheSummaryAndWritesItsFiles()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"reviews-budget-cli-{Guid.NewGuid():N}");
        try
        {
            var (code, output, error) = await CliHarness.RunAsync("reproduce", "reviews-budget", "--profile", "smoke", "--json", "--output", directory);
            Assert.Equal(0, code);
            using var json = System.Text.Json.JsonDocument.Parse(output);
            Assert.Equal("smoke", json.RootElement.GetProperty("profile").GetString());
            Assert.Equal(4, json.RootElement.GetProperty("claims").GetArrayLength());
            Assert.Contains("of 4 claims hold; 3 files under", error, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(directory, "claims.txt")));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
