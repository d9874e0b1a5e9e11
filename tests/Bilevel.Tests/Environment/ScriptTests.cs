using System.Diagnostics;
using System.Text.Json;

namespace Bilevel.Tests.Environment;

/// <summary>The entry-point scripts the README documents, run as a user runs them.</summary>
public sealed class ScriptTests
{
    [Fact]
    public void BilevelScript_QuadraticCheckJson_PrintsRows()
    {
        var (code, output, error) = Run("environment/bilevel", "quadratic-check", "--json", "--samples", "300", "--repeats", "1");
        Assert.True(code == 0, $"exit {code}: {error}");
        using var document = JsonDocument.Parse(output);
        Assert.True(document.RootElement.GetArrayLength() > 50);
    }

    [Fact]
    public void BilevelScript_BadOption_ExitsTwoWithOneLine()
    {
        var (code, output, error) = Run("environment/bilevel", "quadratic-check", "--repeats", "0");
        Assert.Equal(2, code);
        Assert.Empty(output.Trim());
        Assert.Equal("bilevel: --repeats must be a positive integer, got 0", error.Trim());
    }

    private static (int Code, string Output, string Error) Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish in 3 minutes");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The repository root (the folder holding Bilevel.Notebooks.sln), found as the data locator finds it.</summary>
    internal static string RepositoryRoot() =>
        Bilevel.Data.DataLocator.FindRepositoryRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repository root not found");
}
