using System.CommandLine;
using System.Text.Json;
using Bilevel.Experiments;
using Bilevel.Experiments.Omniglot;

namespace Bilevel.Cli;

/// <summary><c>bilevel reproduce omniglot</c>: notebook 03's experiments without a notebook.</summary>
internal static partial class ReproduceCommand
{
    private static Command Omniglot()
    {
        var (profile, json, output) = ExperimentOptions("omniglot");
        var method = new Option<string[]>("--method") { Description = "Run only the methods with this label, e.g. \"AID-BiO-constant\" (repeatable; default: all)" };
        var command = new Command("omniglot",
            "Notebook 03: Omniglot hyper-representation as papers 001 and 002 run it (ConvNet x, per-task heads y); results under results/omniglot/")
        {
            profile, json, output, method,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = ChosenProfile(parse, profile);
            var settings = OmniglotSettings.For(chosen) with { Only = parse.GetValue(method) is { Length: > 0 } labels ? labels : null };
            var directory = parse.GetValue(output)!;
            var report = WithProgress("omniglot", OmniglotExperiment.ProgressSteps(settings), progress => OmniglotExperiment.Run(settings, progress, cancellationToken));
            OmniglotFigures.Write(report, directory);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(OmniglotFigures.Summary(report), JsonOptions));
            }
            else
            {
                Console.Out.WriteLine(OmniglotFigures.Table(report).ToText());
                Console.Out.WriteLine();
                Console.Out.WriteLine(new ClaimTable("Omniglot claims (papers 001 and 002, issue 8)", report.Claims).ToString());
            }

            Console.Error.WriteLine($"reproduce omniglot: profile {chosen.ToString().ToLowerInvariant()}, {report.Seconds:F0} s, "
                + $"{report.Claims.Count(c => c.Holds)} of {report.Claims.Count} claims hold; results under {directory}");
            return Task.FromResult(0);
        });
        return command;
    }
}
