using System.CommandLine;
using Bilevel.Experiments;
using Bilevel.Experiments.Reviews;

namespace Bilevel.Cli;

/// <summary><c>bilevel reproduce reviews-budget</c>: how far longer budgets and reviews take issue 9's failing claims.</summary>
internal static partial class ReproduceCommand
{
    private static Command ReviewsBudget()
    {
        var (profile, json, output) = ExperimentOptions("reviews-budget");
        var command = new Command("reviews-budget",
            "Beyond notebook 04: supervised encoders at longer reviews, BO-REP with 15 main runs' seconds on hyper-representation, and BO-REP's long hyper-cleaning run with fixed-step refits; results under results/reviews-budget/")
        {
            profile, json, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = ChosenProfile(parse, profile);
            var settings = ReviewsBudgetSettings.For(chosen);
            var directory = parse.GetValue(output)!;
            var report = WithProgress("reviews-budget", ReviewsBudgetStudy.ProgressSteps(settings), progress => ReviewsBudgetStudy.Run(settings, progress, cancellationToken));
            var files = ReviewsBudgetResults.Write(report, directory);
            Console.Out.WriteLine(parse.GetValue(json)
                ? ReviewsBudgetResults.SummaryJson(report)
                : new ClaimTable("Paper 004 text experiments: the budget study (issue 9)", report.Claims).ToString());
            Console.Error.WriteLine($"reproduce reviews-budget: profile {chosen.ToString().ToLowerInvariant()}, {report.Seconds:F0} s, "
                + $"{report.Claims.Count(c => c.Holds)} of {report.Claims.Count} claims hold; {files.Count} files under {directory}");
            return Task.FromResult(0);
        });
        return command;
    }
}
