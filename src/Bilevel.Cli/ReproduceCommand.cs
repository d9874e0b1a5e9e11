using System.CommandLine;
using System.Text.Json;
using Bilevel.Experiments;
using Bilevel.Experiments.HyperCleaning;
using Bilevel.Experiments.Newsgroups;
using Bilevel.Interactive;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel reproduce hyper-cleaning</c>: notebook 02's experiments without a notebook.</summary>
internal static partial class ReproduceCommand
{
    private static readonly JsonSerializerOptions JsonOptions = ResultsJson.Options;

    public static Command Create()
    {
        var command = new Command("reproduce", "Run a notebook's experiments from the terminal, write results and print the claims table");
        command.Subcommands.Add(HyperCleaning());
        command.Subcommands.Add(Newsgroups());
        command.Subcommands.Add(Omniglot());
        command.Subcommands.Add(Reviews());
        command.Subcommands.Add(ReviewsBudget());
        return command;
    }

    private static Command HyperCleaning()
    {
        var (profile, json, output) = ExperimentOptions("hyper-cleaning");
        var command = new Command("hyper-cleaning",
            "Notebook 02: data hyper-cleaning on Fashion-MNIST and MNIST as papers 002, 003 and 000 run it; results under results/hyper-cleaning/")
        {
            profile, json, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = ChosenProfile(parse, profile);
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

    private static Command Newsgroups()
    {
        var (profile, json, output) = ExperimentOptions("newsgroups");
        var command = new Command("newsgroups",
            "Notebook 05: one L2 hyperparameter per feature on 20 Newsgroups (paper 002 App. A.2); results under results/newsgroups/")
        {
            profile, json, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = ChosenProfile(parse, profile);
            var settings = NewsgroupsSettings.For(chosen);
            var directory = parse.GetValue(output)!;
            var report = WithProgress("newsgroups", NewsgroupsExperiment.ProgressSteps(settings), progress => NewsgroupsExperiment.Run(settings, progress, cancellationToken));
            var files = NewsgroupsResults.Write(report, directory);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(NewsgroupsResults.SummaryJson(report));
            }
            else
            {
                Console.Out.WriteLine(NewsgroupsExperiment.GridTable(report).ToText());
                Console.Out.WriteLine();
                Console.Out.WriteLine(NewsgroupsExperiment.WordsTable(report).ToText());
                Console.Out.WriteLine();
                Console.Out.WriteLine(new ClaimTable(NewsgroupsResults.ClaimsTitle, report.Claims).ToString());
            }

            Console.Error.WriteLine($"reproduce newsgroups: profile {chosen.ToString().ToLowerInvariant()}, {report.Seconds:F0} s, peak {report.PeakWorkingSetBytes / 1048576.0:F0} MiB, "
                + $"{report.Claims.Count(c => c.Holds)} of {report.Claims.Count} claims hold; {files.Count} files under {directory}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The options every reproduce subcommand takes: --profile, --json and --output (default results/<paramref name="folder"/>).</summary>
    private static (Option<string?> Profile, Option<bool> Json, Option<string> Output) ExperimentOptions(string folder) =>
    (
        new Option<string?>("--profile") { Description = "smoke, default or paper (default: BILEVEL_PROFILE, else default)" },
        new Option<bool>("--json") { Description = "Print the JSON summary on stdout instead of tables" },
        new Option<string>("--output") { Description = "Results folder", DefaultValueFactory = _ => Path.Combine("results", folder) }
    );

    /// <summary>--profile when given, else BILEVEL_PROFILE (else default); a bad value is a one-line error naming the option.</summary>
    private static ExperimentProfile ChosenProfile(ParseResult parse, Option<string?> profile) =>
        parse.GetValue(profile) is { } text ? ExperimentProfiles.Parse(text, "--profile") : ExperimentProfiles.Current;

    private static HyperCleaningReport WithProgress(HyperCleaningSettings settings, CancellationToken cancellationToken) =>
        WithProgress("hyper-cleaning", HyperCleaningExperiment.ProgressSteps(settings), progress => HyperCleaningExperiment.Run(settings, progress, cancellationToken));

    /// <summary>Runs <paramref name="run"/> with a progress bar on an interactive terminal, numbered lines on stderr otherwise.</summary>
    private static T WithProgress<T>(string title, int total, Func<IProgress<string>, T> run)
        where T : class
    {
        if (Console.IsErrorRedirected)
        {
            var done = 0;
            return run(new SynchronousProgress(line => Console.Error.WriteLine($"[{++done}/{total}] {line}")));
        }

        T? result = null;
        var console = CliRunner.CreateConsole(Console.Error);
        console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(title, maxValue: total);
                result = run(new SynchronousProgress(line =>
                {
                    task.Increment(1);
                    task.Description = Markup.Escape(line.Length > 70 ? line[..70] : line);
                }));
            });
        return result!;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool and can reorder lines).</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
