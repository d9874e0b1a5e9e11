using System.Text.Json;
using Bilevel.Autodiff;

namespace Bilevel.Tests.Cli;

/// <summary><c>bilevel gradcheck</c> run in-process; console redirection is global, so in the console collection.</summary>
[Collection(ConsoleTests.Name)]
public sealed class GradientCheckCommandTests
{
    private static readonly string[] Quantities = ["gradient", "hvp", "cross", "tangent", "float32"];

    // The full check set takes a few seconds: run `gradcheck --json` once for all the tests that read its output.
    private static readonly Lazy<Task<(int ExitCode, string Out, string Error)>> JsonRun = new(() => CliHarness.RunAsync("gradcheck", "--json"));

    [Fact]
    public async Task Gradcheck_Json_ExitsZeroAndEveryCheckPassed()
    {
        var (code, output, error) = await JsonRun.Value;

        Assert.Equal(0, code);
        Assert.Empty(error);
        using var document = JsonDocument.Parse(output);
        var rows = document.RootElement.EnumerateArray().ToArray();
        Assert.NotEmpty(rows);
        Assert.All(rows, row =>
        {
            Assert.True(row.GetProperty("passed").GetBoolean(), row.ToString());
            var relError = row.GetProperty("relError").GetDouble();
            var tolerance = row.GetProperty("tolerance").GetDouble();
            Assert.True(relError <= tolerance, row.ToString());
            Assert.False(string.IsNullOrWhiteSpace(row.GetProperty("reference").GetString()));
        });
    }

    [Fact]
    public async Task Gradcheck_Json_EveryCaseReportsAllQuantities()
    {
        var (_, output, _) = await JsonRun.Value;
        using var document = JsonDocument.Parse(output);
        var rows = document.RootElement.EnumerateArray()
            .Select(r => (Case: r.GetProperty("case").GetString()!, Quantity: r.GetProperty("quantity").GetString()!))
            .ToList();

        Assert.Equal(Quantities.ToHashSet(), rows.Select(r => r.Quantity).ToHashSet());
        foreach (var check in GradientCheckCases.All)
        {
            var quantities = rows.Where(r => r.Case == check.Name).Select(r => r.Quantity).ToList();

            // The cross product ∇²xy L·v is reported whenever the case has an upper group x.
            var expected = check.Upper.Size > 0 ? Quantities : Quantities.Where(q => q != "cross").ToArray();
            Assert.Equal(expected.Order(), quantities.Order());
        }

        Assert.Equal(GradientCheckCases.All.Sum(c => c.Upper.Size > 0 ? 5 : 4), rows.Count);
    }

    [Fact]
    public async Task Gradcheck_Json_IncludesConvolutionBatchNormRnnAndConvNetCases()
    {
        var (_, output, _) = await JsonRun.Value;
        using var document = JsonDocument.Parse(output);
        var cases = document.RootElement.EnumerateArray().Select(r => r.GetProperty("case").GetString()!).Distinct().ToList();

        Assert.Equal(GradientCheckCases.All.Select(c => c.Name), cases);
        Assert.Contains(cases, c => c.StartsWith("conv2d", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.StartsWith("batch norm", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.Contains("RNN", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.StartsWith("ConvNet", StringComparison.Ordinal));
        Assert.Contains("conv2d 3×3 stride 2 padding 0 + bias", cases);
        Assert.Contains("conv2d 3×3 stride 1 padding 1 + bias, one GEMM per tap", cases);
        Assert.Contains("batch norm (x = input, y = γ, β)", cases);
        Assert.Contains("ConvNet (4 blocks) + linear head", cases);
    }

    [Fact]
    public async Task Gradcheck_Json_TolerancesAreDocumentedOnes()
    {
        var (_, output, _) = await JsonRun.Value;
        using var document = JsonDocument.Parse(output);

        foreach (var row in document.RootElement.EnumerateArray())
        {
            var expected = row.GetProperty("quantity").GetString() == "float32" ? GradientCheck.Float32Tolerance : GradientCheck.Float64Tolerance;
            Assert.Equal(expected, row.GetProperty("tolerance").GetDouble());
        }
    }

    [Fact]
    public async Task Gradcheck_BadSeed_ExitsTwoWithOneLine()
    {
        var (code, output, error) = await CliHarness.RunAsync("gradcheck", "--seed", "abc");

        Assert.Equal(2, code);
        Assert.Empty(output);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("bilevel: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("abc", lines[0], StringComparison.Ordinal);
    }
}
