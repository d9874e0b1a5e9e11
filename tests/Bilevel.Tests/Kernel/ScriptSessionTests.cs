using Bilevel.Kernel.Execution;
using Microsoft.CodeAnalysis.CSharp;

namespace Bilevel.Tests.Kernel;

public sealed class ScriptSessionTests
{
    [Theory]
    [InlineData("1 + 1", "complete")]
    [InlineData("for (var i = 0; i < 3; i++) {", "incomplete")]
    [InlineData("int y = ;", "invalid")]
    public void IsComplete_Samples_ClassifiesAsJupyterExpects(string code, string expected) =>
        Assert.Equal(expected, ScriptSession.IsComplete(code).Status);

    [Fact]
    public void Prepare_PolyglotMagic_IsCommentedOutKeepingLines()
    {
        var prepared = ScriptSession.Prepare("#!csharp\nvar x = 1;");
        Assert.Equal("//#!csharp\nvar x = 1;", prepared);
    }

    [Fact]
    public void Prepare_OtherLanguageMagic_Throws()
    {
        var error = Assert.Throws<NotSupportedException>(() => ScriptSession.Prepare("#!fsharp\nlet x = 1"));
        Assert.Equal("line 1: '#!fsharp' names another language; this kernel runs C# only", error.Message);
    }

    [Fact]
    public void Rewrite_Loops_GainCancellationChecksOnTheSameLines()
    {
        const string code = "var n = 0;\nwhile (true)\n    n++;\nfor (var i = 0; i < 3; i++) { n += i; }\nforeach (var c in \"ab\") n++;";
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(kind: Microsoft.CodeAnalysis.SourceCodeKind.Script));
        var rewritten = CancellationRewriter.Rewrite(tree);
        Assert.Equal(3, CountOccurrences(rewritten, "ThrowIfCancellationRequested"));
        Assert.Equal(code.Split('\n').Length, rewritten.Split('\n').Length);
        Assert.Empty(CSharpSyntaxTree.ParseText(rewritten, new CSharpParseOptions(kind: Microsoft.CodeAnalysis.SourceCodeKind.Script)).GetDiagnostics());
    }

    [Fact]
    public async Task ExecuteAsync_StateCarriesAcrossCells()
    {
        var session = new ScriptSession();
        var first = await session.ExecuteAsync("var answer = 6 * 7;", "cell[1]", CancellationToken.None);
        Assert.True(first.Succeeded);
        Assert.False(first.HasValue);
        var second = await session.ExecuteAsync("answer + 1", "cell[2]", CancellationToken.None);
        Assert.True(second.HasValue);
        Assert.Equal(43, second.Value);
    }

    [Fact]
    public async Task ExecuteAsync_CompileError_ReportsCellRelativeLine()
    {
        var session = new ScriptSession();
        var outcome = await session.ExecuteAsync("var a = 1;\nvar b = missing;", "cell[1]", CancellationToken.None);
        var error = Assert.Single(outcome.Errors);
        Assert.Equal("CS0103", error.Id);
        Assert.Equal(1, error.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public async Task ExecuteAsync_LibraryImported_RunsBilevelCode()
    {
        var session = new ScriptSession();
        var outcome = await session.ExecuteAsync("QuadraticBilevelProblem.CreateRandom(7, 13, 10, 1).LowerDimension", "cell[1]", CancellationToken.None);
        Assert.True(outcome.Succeeded, outcome.Exception?.ToString());
        Assert.Equal(13, outcome.Value);
    }

    [Fact]
    public async Task ExecuteAsync_CancelledLoop_ReportsInterrupted()
    {
        var session = new ScriptSession();
        using var cancellation = Bilevel.Interactive.Notebook.BeginCancellationScope();
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(300));
        var outcome = await session.ExecuteAsync("long n = 0; while (true) { n++; }", "cell[1]", cancellation.Token);
        Assert.True(outcome.Interrupted);
    }

    [Fact]
    public async Task ExecuteAsync_HashR_ReferencesAnAssemblyFromDisk()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"bilevel-r-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "Greeting.dll");
        try
        {
            var compilation = CSharpCompilation.Create("Greeting",
                [CSharpSyntaxTree.ParseText("public static class Greeting { public static string Hello(string name) => \"hello, \" + name; }")],
                [Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
                new CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
            Assert.True(compilation.Emit(path).Success);
            var session = new ScriptSession();
            var outcome = await session.ExecuteAsync($"#r \"{path}\"\nGreeting.Hello(\"notebook\")", "cell[1]", CancellationToken.None);
            Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Select(e => e.ToString())) + outcome.Exception);
            Assert.Equal("hello, notebook", outcome.Value);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (UnauthorizedAccessException)
            {
                // The loaded assembly may stay mapped; the temp folder is cleaned by the OS.
            }
        }
    }

    [Fact]
    public void Complete_MemberAccess_ListsMembersWithPrefix()
    {
        var session = new ScriptSession();
        var (matches, start) = session.Complete("Math.Ab", 7);
        Assert.Equal(["Abs"], matches);
        Assert.Equal(5, start);
    }

    private static int CountOccurrences(string text, string word)
    {
        var count = 0;
        for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
