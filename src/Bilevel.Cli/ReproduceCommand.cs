using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bilevel.Experiments;
using Bilevel.Experiments.HyperCleaning;
using Bilevel.Interactive;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel reproduce hyper-cleaning</c>: notebook 02's experiments without a notebook.</summary>
internal static class ReproduceCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static Command Create()
    {
        var command = new Command("reproduce", "Run a notebook's experiments from the terminal, write results and print the claims table");
        command.Subcommands.Add(HyperCleaning());
        return command;
    }

    private static Command HyperCleaning()
    {
        var profile = new Option<string?>("--profile") { Description = "smoke, default or paper (default: BILEVEL_PROFILE, else default)" };
        var json = new Option<bool>("--json") { Description = "Print the JSON summary on stdout instead of tables" };
        var output = new Option<string>("--output") { Description = "Results folder", DefaultValueFactory = _ => Path.Combine("results", "hyper-cleaning") };
        var command = new Command("hyper-cleaning",
            "Notebook 02: data hyper-cleaning on Fashion-MNIST and MNIST as papers 002, 003 and 000 run it; results under results/hyper-cleaning/")
        {
            profile, json, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(profile) is { } text ? ExperimentProfiles.Parse(text, "--profile") : ExperimentProfiles.Current;
            var settings = HyperCleaningSettings.For(chosen);
            var directory = parse.GetValue(output)!;
            var report = WithProgress(settings, cancellationToken);
            var files = HyperCleaningResults.Write(report, directory);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(HyperCleaningResults.Summary(report), JsonOptions));
            }
            else
            {
                var console = CliRunner.CreateConsole(Console.Out);
                console.WriteLine(HyperCleaningFigures.Summary(report).ToText());
                console.WriteLine();
                console.WriteLine(HyperCleaningFigures.Baselines(report).ToText());
                console.WriteLine();
                console.WriteLine(new ClaimTable("Hyper-cleaning claims (papers 002, 003, 000 and issue 7)", report.Claims).ToString());
            }

            Console.Error.WriteLine($"reproduce hyper-cleaning: profile {chosen.ToString().ToLowerInvariant()}, {report.Seconds:F0} s, "
                + $"{report.Claims.Count(c => c.Holds)} of {report.Claims.Count} claims hold; {files.Count} files under {directory}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static HyperCleaningReport WithProgress(HyperCleaningSettings settings, CancellationToken cancellationToken)
    {
        var total = HyperCleaningExperiment.ProgressSteps(settings);
        if (Console.IsErrorRedirected)
        {
            var done = 0;
            return HyperCleaningExperiment.Run(settings, new SynchronousProgress(line => Console.Error.WriteLine($"[{Interlocked.Increment(ref done)}/{total}] {line}")), cancellationToken);
        }

        HyperCleaningReport? report = null;
        var console = CliRunner.CreateConsole(Console.Error);
        console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("hyper-cleaning", maxValue: total);
                report = HyperCleaningExperiment.Run(settings, new SynchronousProgress(line =>
                {
                    task.Increment(1);
                    task.Description = Markup.Escape(line.Length > 70 ? line[..70] : line);
                }), cancellationToken);
            });
        return report!;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool and can reorder lines).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
