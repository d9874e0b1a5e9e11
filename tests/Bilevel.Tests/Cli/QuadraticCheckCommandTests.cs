using System.Text.Json;

namespace Bilevel.Tests.Cli;

/// <summary>Runs the <c>bilevel</c> command in-process; console redirection is global, so not in parallel.</summary>
[Collection(ConsoleTests.Name)]
public sealed class QuadraticCheckCommandTests
{
    private static Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args) => CliHarness.RunAsync(args);

    [Fact]
    public async Task QuadraticCheck_Json_PrintsArrayOfRowsWithDocumentedKeys()
    {
        var (code, output, _) = await RunAsync("quadratic-check", "--json", "--repeats", "1", "--samples", "500");
        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(output);
        var rows = document.RootElement.EnumerateArray().ToArray();
        Assert.NotEmpty(rows);
        foreach (var key in new[] { "set", "estimator", "k", "sqError", "relError", "grads", "hvps", "jvps", "seconds" })
        {
            Assert.All(rows, row => Assert.True(row.TryGetProperty(key, out _), $"missing key {key}"));
        }

        Assert.All(rows.Where(r => r.GetProperty("set").GetInt32() == 2), row => Assert.True(row.TryGetProperty("alpha", out _)));
        Assert.All(rows.Where(r => r.GetProperty("set").GetInt32() == 1), row => Assert.False(row.TryGetProperty("alpha", out _)));
        var estimators = rows.Select(r => r.GetProperty("estimator").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "FSLA", "NS", "BP", "CG", "exact" }, estimators);
    }

    [Fact]
    public async Task QuadraticCheck_Table_PrintsClaims()
    {
        var (code, output, _) = await RunAsync("quadratic-check", "--repeats", "1", "--samples", "500");
        Assert.Equal(0, code);
        Assert.Contains("Set 1", output, StringComparison.Ordinal);
        Assert.Contains("Claims", output, StringComparison.Ordinal);
        Assert.Contains("holds", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--repeats", "0", "--repeats must be a positive integer")]
    [InlineData("--samples", "-3", "--samples must be a positive integer")]
    [InlineData("--repeats", "many", "many")]
    public async Task QuadraticCheck_BadArgument_ExitsTwoWithOneLine(string option, string value, string expected)
    {
        var (code, output, error) = await RunAsync("quadratic-check", option, value);
        Assert.Equal(2, code);
        Assert.Empty(output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsTwo()
    {
        var (code, _, error) = await RunAsync("no-such-command");
        Assert.Equal(2, code);
        Assert.StartsWith("bilevel:", error, StringComparison.Ordinal);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleTests
{
    public const string Name = "console";
}
