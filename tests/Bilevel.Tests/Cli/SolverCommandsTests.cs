using System.Text.Json;
using Bilevel.Solvers;

namespace Bilevel.Tests.Cli;

/// <summary><c>bilevel solvers list</c> and <c>bilevel solve</c>: listing, running, saving, and one-line errors.</summary>
[Collection(ConsoleTests.Name)]
public sealed class SolverCommandsTests
{
    private static string[] Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    [Fact]
    public async Task SolversList_Json_ListsEveryCatalogSolverWithCitationCostAndOptions()
    {
        var (code, output, error) = await CliHarness.RunAsync("solvers", "list", "--json");
        Assert.Equal(0, code);
        Assert.Empty(error);
        using var json = JsonDocument.Parse(output);
        var names = json.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Equal(SolverCatalog.All.Select(d => d.Info.Name), names);
        foreach (var solver in json.RootElement.EnumerateArray())
        {
            Assert.False(string.IsNullOrWhiteSpace(solver.GetProperty("citation").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(solver.GetProperty("costPerIteration").GetString()));
            Assert.True(solver.GetProperty("options").GetArrayLength() > 0);
        }
    }

    [Fact]
    public async Task Solve_AidBiOOnQuadratic_PrintsTracesPerSeedAndSavesCsvAndHtml()
    {
        var folder = Directory.CreateTempSubdirectory("bilevel-solve-");
        try
        {
            var csv = Path.Combine(folder.FullName, "t.csv");
            var html = Path.Combine(folder.FullName, "t.html");
            var (code, output, error) = await CliHarness.RunAsync("solve", "--problem", "finite-sum-quadratic", "--solver", "aid-bio",
                "--set", "InnerStep=0.09", "--set", "OuterStep=0.2", "--iterations", "50", "--seeds", "2", "--json", "--csv", csv, "--html", html);
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            Assert.Equal(2, json.RootElement.GetArrayLength());
            var rows = json.RootElement[1].GetProperty("rows");
            Assert.Equal(50, rows[rows.GetArrayLength() - 1].GetProperty("iteration").GetInt64());
            Assert.True(rows[rows.GetArrayLength() - 1].GetProperty("hypergradientNorm").GetDouble() < rows[0].GetProperty("hypergradientNorm").GetDouble() * 1e-3);
            Assert.False(json.RootElement[1].TryGetProperty("diagnostics", out _), "AID-BiO keeps no diagnostics");
            Assert.True(File.ReadAllLines(csv).Length > 2);
            Assert.Contains("plotly", File.ReadAllText(html), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Solve_BoRepJson_PrintsItsProjectionDiagnostics()
    {
        var (code, output, error) = await CliHarness.RunAsync("solve", "--problem", "finite-sum-quadratic", "--solver", "bo-rep",
            "--set", "Radius=1e-9", "--set", "RefinementEpochs=0", "--iterations", "7", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var diagnostics = json.RootElement[0].GetProperty("diagnostics");

        // Iterations 2, 4, 6 update y with N = 3 steps each (I = 2); a radius of 1e-9 is left by every step.
        Assert.Equal(9, diagnostics.GetProperty("lower update steps").GetDouble());
        Assert.Equal(9, diagnostics.GetProperty("projected steps").GetDouble());
        Assert.True(diagnostics.GetProperty("largest displacement").GetDouble() > 1e-9);
    }

    [Theory]
    [InlineData(new[] { "solve", "--problem", "finite-sum-quadratic", "--solver", "nope" }, "bilevel: solver 'nope' is not known")]
    [InlineData(new[] { "solve", "--problem", "nope", "--solver", "aid-bio" }, "bilevel: problem 'nope' is not known")]
    [InlineData(new[] { "solve", "--problem", "quadratic", "--solver", "aid-bio", "--set", "Bogus=1" }, "bilevel: 'Bogus' is not an option of AID-BiO")]
    [InlineData(new[] { "solve", "--problem", "quadratic", "--solver", "aid-bio", "--set", "InnerSteps=x" }, "bilevel: AID-BiO option InnerSteps: 'x' is not a valid int")]
    [InlineData(new[] { "solve", "--problem", "quadratic", "--solver", "aid-bio", "--set", "InnerStep" }, "bilevel: setting 'InnerStep' is not of the form key=value")]
    [InlineData(new[] { "solve", "--problem", "quadratic", "--solver", "aid-bio", "--seeds", "0" }, "bilevel: --seeds must be at least 1, got 0")]
    [InlineData(new[] { "solve", "--problem", "quadratic", "--solver", "aid-bio", "--set", "OuterStep=-1" }, "bilevel: OuterStep must be a positive step size")]
    public async Task Solve_BadInput_ExitsTwoWithOneLine(string[] args, string start)
    {
        var (code, output, error) = await CliHarness.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Empty(output);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith(start, line, StringComparison.Ordinal);
    }
}
