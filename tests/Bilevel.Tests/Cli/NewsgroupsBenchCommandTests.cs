namespace Bilevel.Tests.Cli;

/// <summary><c>bilevel bench newsgroups</c>'s argument errors, reported before the data are read.</summary>
[Collection(ConsoleTests.Name)]
public sealed class NewsgroupsBenchCommandTests
{
    [Theory]
    [InlineData("--repeats", "0", "bilevel: --repeats must be a positive integer, got 0")]
    [InlineData("--threads", "0", "bilevel: --threads must be a positive integer, got 0")]
    [InlineData("--batch", "-5", "bilevel: --batch must be 0 (full batch) or a positive batch size, got -5")]
    public async Task BenchNewsgroups_BadOption_ExitsTwoWithOneLineError(string option, string value, string expected)
    {
        var (code, output, error) = await CliHarness.RunAsync("bench", "newsgroups", option, value);

        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Equal([expected], error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
    }
}
