using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Traces;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel solvers list</c> and <c>bilevel solve</c>: every solver of the catalog on every registered problem.</summary>
internal static class SolverCommands
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command CreateList()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var list = new Command("list", "Every solver: name, paper, citation, loop structure, oracle cost per iteration, options with defaults") { json };
        list.SetAction(parse =>
        {
            var rows = SolverCatalog.All.Select(d => new SolverListing(
                d.Info.Name, d.Info.DisplayName, d.Info.Paper, d.Info.Citation, d.Info.Loops, d.Info.Stochastic, d.Info.CostPerIteration,
                d.Options.Select(o => new OptionListing(o.Name, o.Type, o.Default, o.Description)).ToList())).ToList();
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(rows, JsonOptions));
                return 0;
            }

            var table = new Table().Title($"{rows.Count} solvers").AddColumns("name", "paper", "loops", "cost per iteration", "citation");
            foreach (var row in rows)
            {
                table.AddRow(Markup.Escape(row.Name), row.Paper, row.Loops.ToString(), Markup.Escape(row.CostPerIteration), Markup.Escape(row.Citation));
            }

            CliRunner.CreateConsole(Console.Out).Write(table);
            return 0;
        });
        var command = new Command("solvers", "The solver catalog") { list };
        return command;
    }

    public static Command CreateSolve()
    {
        var problem = new Option<string>("--problem") { Description = $"Problem ({string.Join(", ", ProblemCatalog.All.Select(p => p.Name))})", Required = true };
        var solver = new Option<string>("--solver") { Description = "Solver name (bilevel solvers list)", Required = true };
        var set = new Option<string[]>("--set") { Description = "Option change key=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var seeds = new Option<int>("--seeds") { Description = "Number of seeds (0 … n−1)", DefaultValueFactory = _ => 1 };
        var iterations = new Option<long>("--iterations") { Description = "Iteration budget", DefaultValueFactory = _ => 1000 };
        var seconds = new Option<double?>("--seconds") { Description = "Solver-time budget per run" };
        var hvps = new Option<long?>("--hvps") { Description = "HVP budget per run" };
        var problemSeed = new Option<int>("--problem-seed") { Description = "Seed of the problem's data", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the traces as JSON" };
        var csv = new Option<string?>("--csv") { Description = "Write the traces as CSV to this file" };
        var html = new Option<string?>("--html") { Description = "Write a standalone Plotly figure (median and min–max band over seeds)" };
        var command = new Command("solve", "Run any solver on any registered problem and print or save its traces")
        {
            problem, solver, set, seeds, iterations, seconds, hvps, problemSeed, json, csv, html,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var descriptor = SolverCatalog.Get(parse.GetValue(solver)!);
            var problemDescriptor = ProblemCatalog.Get(parse.GetValue(problem)!);
            var settings = (parse.GetValue(set) ?? []).Select(s =>
            {
                var (k, v) = OptionsBinder.ParseSetting(s);
                return new KeyValuePair<string, string>(k, v);
            }).ToList();
            var instance = descriptor.Create(settings);
            var seedCount = parse.GetValue(seeds);
            if (seedCount < 1)
            {
                throw new ArgumentException($"--seeds must be at least 1, got {seedCount}");
            }

            var budget = new RunBudget(parse.GetValue(iterations)) { Seconds = parse.GetValue(seconds), Hvps = parse.GetValue(hvps) };
            budget.Validate();
            var target = problemDescriptor.Create(parse.GetValue(problemSeed));
            var asJson = parse.GetValue(json);
            var lastReport = System.Diagnostics.Stopwatch.StartNew();
            var progress = new Progress<RunProgress>(p =>
            {
                if (lastReport.Elapsed.TotalSeconds >= 1)
                {
                    lastReport.Restart();
                    Console.Error.WriteLine($"solve: {p.Solver} seed {p.Seed}, iteration {p.Iteration}/{p.MaxIterations}, f = {p.UpperLoss:G5}");
                }
            });
            var traces = SolverRunner.RunSeeds(instance, target, new RunSettings(budget), [.. Enumerable.Range(0, seedCount)], progress, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (parse.GetValue(csv) is { } csvPath)
            {
                TraceCsv.Save(csvPath, traces);
            }

            if (parse.GetValue(html) is { } htmlPath)
            {
                var quantity = target is IExactBilevelProblem ? TraceQuantity.HypergradientNorm : TraceQuantity.UpperLoss;
                TraceFigures.Convergence([traces], TraceAxis.Iterations, quantity, title: $"{descriptor.Info.DisplayName} on {target.Name}").SaveHtml(htmlPath);
            }

            if (asJson)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(traces.Select(ToJson), JsonOptions));
            }
            else
            {
                Render(traces, CliRunner.CreateConsole(Console.Out));
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static void Render(IReadOnlyList<SolverTrace> traces, IAnsiConsole console)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var trace in traces)
        {
            var table = new Table().Title(Markup.Escape($"{trace.Solver.DisplayName} on {trace.Problem}, seed {trace.Seed} (stopped: {trace.StopReason})"))
                .AddColumns("iteration", "seconds", "∇ evals", "HVPs", "cross", "f(x, y)", "g(x, y)", "‖∇Φ(x)‖", "‖y − y*‖");
            foreach (var row in trace.Rows)
            {
                table.AddRow(
                    row.Iteration.ToString(inv), row.Seconds.ToString("F4", inv), row.Counts.Gradients.ToString(inv), row.Counts.Hvps.ToString(inv),
                    row.Counts.CrossProducts.ToString(inv), row.UpperLoss.ToString("G6", inv), row.LowerLoss.ToString("G6", inv),
                    row.HypergradientNorm?.ToString("E3", inv) ?? "", row.LowerError?.ToString("E3", inv) ?? "");
            }

            console.Write(table);
        }
    }

    private static TraceJson ToJson(SolverTrace trace) => new(
        trace.Solver.Name, trace.Problem, trace.Seed, trace.Options, trace.StopReason,
        trace.Rows.Select(r => new TraceRowJson(
            r.Iteration, r.UpperSteps, r.Seconds, r.Counts.Gradients, r.Counts.Hvps, r.Counts.CrossProducts,
            r.Counts.UpperSamples + r.Counts.LowerSamples, r.UpperLoss, r.LowerLoss, r.HypergradientNorm, r.LowerError, r.UpperObjective,
            r.Metrics.Count == 0 ? null : trace.MetricNames.Zip(r.Metrics).ToDictionary(p => p.First, p => p.Second))).ToList(),
        trace.Diagnostics.Count == 0 ? null : trace.Diagnostics);

    private sealed record OptionListing(string Name, string Type, string Default, string Description);

    private sealed record SolverListing(string Name, string DisplayName, string Paper, string Citation, LoopStructure Loops, bool Stochastic,
        string CostPerIteration, IReadOnlyList<OptionListing> Options);

    private sealed record TraceRowJson(long Iteration, long UpperSteps, double Seconds, long Gradients, long Hvps, long CrossProducts, long Samples,
        double UpperLoss, double LowerLoss, double? HypergradientNorm, double? LowerError, double? UpperObjective, IReadOnlyDictionary<string, double>? Metrics);

    private sealed record TraceJson(string Solver, string Problem, int Seed, string Options, StopReason StopReason, IReadOnlyList<TraceRowJson> Rows,
        IReadOnlyDictionary<string, double>? Diagnostics);
}
