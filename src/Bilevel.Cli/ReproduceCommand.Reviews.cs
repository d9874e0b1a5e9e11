using System.CommandLine;
using Bilevel.Experiments;
using Bilevel.Experiments.Reviews;

namespace Bilevel.Cli;

/// <summary><c>bilevel reproduce reviews</c>: notebook 04's experiments (paper 004 §4, App. G–K) without a notebook.</summary>
internal static partial class ReproduceCommand
{
    private static Command Reviews()
    {
        var (profile, json, output) = ExperimentOptions("reviews");
        var command = new Command("reviews",
            "Notebook 04: paper 004's RNN text experiments (hyper-representation and hyperparameter optimization on Amazon reviews, hyper-cleaning on Sentiment140), ablations and claims; results under results/reviews/")
        {
            profile, json, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = ChosenProfile(parse, profile);
            var settings = ReviewsSettings.For(chosen);
            var directory = parse.GetValue(output)!;
            var report = WithProgress("reviews", ReviewsExperiment.ProgressSteps(settings), progress => ReviewsExperiment.Run(settings, progress, cancellationToken));
            var files = ReviewsResults.Write(report, directory);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(ReviewsResults.SummaryJson(report));
            }
            else
            {
                foreach (var (task, rate) in report.Comparisons)
                {
                    Console.Out.WriteLine(ReviewsFigures.Table(report, task, rate).ToText());
                    Console.Out.WriteLine();
                }

                Console.Out.WriteLine(ReviewsFigures.CrossTask(report).ToText());
                Console.Out.WriteLine();
                Console.Out.WriteLine(ReviewsFigures.Ablations(report).ToText());
                Console.Out.WriteLine();
                Console.Out.WriteLine(new ClaimTable("Paper 004 text experiments: claims (issue 9)", report.Claims).ToString());
            }

            Console.Error.WriteLine($"reproduce reviews: profile {chosen.ToString().ToLowerInvariant()}, {report.Seconds:F0} s, "
                + $"{report.Claims.Count(c => c.Holds)} of {report.Claims.Count} claims hold; {files.Count} files under {directory}");
            return Task.FromResult(0);
        });
        return command;
    }
}
