using System.CommandLine;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary>Process-level conventions: exit codes and one-line errors for bad input.</summary>
internal static class CliRunner
{
    /// <summary>Exit code for invalid input (arguments, files).</summary>
    public const int InvalidInput = 2;

    /// <summary>Exit code when the user cancelled (Ctrl+C).</summary>
    public const int Cancelled = 130;

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"bilevel: {error.Message}");
            }

            return InvalidInput;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("bilevel: cancelled");
            return Cancelled;
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync($"bilevel: {FirstLine(e.Message)}");
            return InvalidInput;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // Malformed or missing input files (InvalidDataException, FileNotFoundException, DatasetNotFoundException, …).
            await Console.Error.WriteLineAsync($"bilevel: {FirstLine(e.Message)}");
            return InvalidInput;
        }
    }

    /// <summary>A console for human-readable output: wide enough for tables when stdout is redirected.</summary>
    public static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 160;
        }

        return console;
    }

    /// <summary>The first line of an exception message, without .NET's " (Parameter 'name')" suffix.</summary>
    internal static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        var line = newline < 0 ? message : message[..newline];
        var suffix = line.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return suffix < 0 ? line.TrimEnd() : line[..suffix];
    }
}
