using Bilevel.Cli;

namespace Bilevel.Tests.Cli;

/// <summary>Runs the <c>bilevel</c> command in-process with stdout and stderr captured (callers use the console collection).</summary>
internal static class CliHarness
{
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args)
    {
        var originalOut = Console.Out;
        var originalError = Console.Error;
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await CliRunner.InvokeAsync(CliApplication.CreateRootCommand(), args);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
