using System.Diagnostics;
using System.Text.Json;
using Bilevel.Kernel;

namespace Bilevel.Tests.Notebooks;

/// <summary>Every committed notebook: nbformat 4.5 metadata for Jupyter and Polyglot, no outputs; notebook 01 executes.</summary>
public sealed class NotebookFileTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(Environment.ScriptTests.RepositoryRoot(), "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void Notebooks_Folder_HoldsNotebookOne()
    {
        var names = Directory.GetFiles(Path.Combine(Environment.ScriptTests.RepositoryRoot(), "notebooks"), "*.ipynb").Select(Path.GetFileName);
        Assert.Contains("01-quadratic-hypergradients.ipynb", names);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_Committed_HasKernelMetadataAndNoOutputs(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Environment.ScriptTests.RepositoryRoot(), "notebooks", name)));
        var root = document.RootElement;
        Assert.Equal(4, root.GetProperty("nbformat").GetInt32());
        Assert.True(root.GetProperty("nbformat_minor").GetInt32() >= 5);
        var metadata = root.GetProperty("metadata");
        Assert.Equal(KernelSpec.Name, metadata.GetProperty("kernelspec").GetProperty("name").GetString());
        Assert.Equal("csharp", metadata.GetProperty("kernelspec").GetProperty("language").GetString());
        Assert.Equal("csharp", metadata.GetProperty("language_info").GetProperty("name").GetString());
        Assert.Equal("csharp", metadata.GetProperty("polyglot_notebook").GetProperty("kernelInfo").GetProperty("defaultKernelName").GetString());
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in root.GetProperty("cells").EnumerateArray())
        {
            Assert.True(ids.Add(cell.GetProperty("id").GetString()!), "cell ids are unique");
            if (cell.GetProperty("cell_type").GetString() != "code")
            {
                continue;
            }

            Assert.Equal(0, cell.GetProperty("outputs").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, cell.GetProperty("execution_count").ValueKind);
            Assert.Equal("csharp", cell.GetProperty("metadata").GetProperty("dotnet_interactive").GetProperty("language").GetString());
        }
    }

    [Fact]
    public async Task NotebookOne_ExecutedWithNbconvert_HasLogLogFigureWithOneCurvePerEstimator()
    {
        var output = Path.Combine(Path.GetTempPath(), $"bilevel-nb-{Guid.NewGuid():N}");
        var jupyterPath = Path.Combine(output, "jupyter");
        KernelSpec.Install(jupyterPath, Path.Combine(AppContext.BaseDirectory, "Bilevel.Cli.dll"));
        try
        {
            var start = new ProcessStartInfo("jupyter")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Environment.ScriptTests.RepositoryRoot(),
            };
            foreach (var argument in new[] { "nbconvert", "--to", "notebook", "--execute", "--output-dir", output, "notebooks/01-quadratic-hypergradients.ipynb" })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["BILEVEL_PROFILE"] = "smoke";
            start.Environment["JUPYTER_PATH"] = jupyterPath;
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "nbconvert finished within 5 minutes");
            Assert.True(process.ExitCode == 0, await errors);

            using var executed = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "01-quadratic-hypergradients.ipynb")));
            var figures = new List<JsonElement>();
            foreach (var cell in executed.RootElement.GetProperty("cells").EnumerateArray())
            {
                if (cell.GetProperty("cell_type").GetString() != "code")
                {
                    continue;
                }

                foreach (var item in cell.GetProperty("outputs").EnumerateArray())
                {
                    Assert.NotEqual("error", item.GetProperty("output_type").GetString());
                    if (item.TryGetProperty("data", out var data) && data.TryGetProperty("application/vnd.plotly.v1+json", out var figure))
                    {
                        figures.Add(figure.Clone());
                    }
                }
            }

            var first = figures[0];
            Assert.Equal("log", first.GetProperty("layout").GetProperty("xaxis").GetProperty("type").GetString());
            Assert.Equal("log", first.GetProperty("layout").GetProperty("yaxis").GetProperty("type").GetString());
            var names = first.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
            Assert.Equal(["exact", "FSLA", "NS", "FP", "BP", "ES-ITDM", "CG"], names);
            Assert.True(figures.Count >= 4, $"{figures.Count} figures");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
