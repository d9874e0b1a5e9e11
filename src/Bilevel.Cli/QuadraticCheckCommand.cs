using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bilevel.Experiments;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel quadratic-check</c>: paper 000 §6.1, Figure 1 (both sets), plus the exact-inner set.</summary>
internal static class QuadraticCheckCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of result rows on stdout instead of tables" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic data", DefaultValueFactory = _ => 0 };
        var repeats = new Option<int>("--repeats") { Description = "Timing repeats per estimate (median reported)", DefaultValueFactory = _ => 3 };
        var samples = new Option<int>("--samples") { Description = "Data rows n (paper: 10000)", DefaultValueFactory = _ => 10_000 };
        var command = new Command("quadratic-check",
            "Reproduce paper 000 (FSLA) §6.1 Figure 1: hypergradient error of FSLA, NS, BP, CG and more on the synthetic quadratic")
        {
            json, seed, repeats, samples,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new QuadraticCheckOptions(
                Seed: parse.GetValue(seed),
                Samples: Positive(parse.GetValue(samples), "--samples"),
                Repeats: Positive(parse.GetValue(repeats), "--repeats"));
            var asJson = parse.GetValue(json);
            var progress = new Progress<string>(line => Console.Error.WriteLine($"quadratic-check: {line}"));
            var report = QuadraticCheck.Run(options, asJson ? null : progress, cancellationToken);
            if (asJson)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report.Rows.Select(ToJson), JsonOptions));
            }
            else
            {
                Render(report, CliRunner.CreateConsole(Console.Out));
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentException($"{name} must be a positive integer, got {value}");

    private static QuadraticCheckJsonRow ToJson(QuadraticCheckRow row) => new(
        row.Set, QuadraticCheck.DisplayName(row.Estimator), row.Alpha, row.K, row.SqError, row.RelError,
        row.Grads, row.Hvps, row.Jvps, row.Seconds, row.IncrementalProducts);

    private static void Render(QuadraticCheckReport report, IAnsiConsole console)
    {
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine($"[bold]Paper 000 §6.1: hypergradient error at fixed λ[/] on {Markup.Escape(report.Problem)}, seed {report.Options.Seed}");
        console.WriteLine(string.Format(inv, "‖∇f‖ = {0:E4}; ∇²ωG spectrum in [{1:E3}, {2:E3}]; step β = {3:G3} (β·L = {4:F3})",
            report.ExactHypergradientNorm, report.LowerStrongConvexity, report.LowerSmoothness, report.Options.StepSize,
            report.Options.StepSize * report.LowerSmoothness));
        console.WriteLine();

        var set1 = report.Rows.Where(r => r.Set == 1).ToArray();
        var estimators = QuadraticCheck.SetOneEstimators;
        var errors = new Table().Title("Set 1: relative error ‖∇̂f_K − ∇f‖/‖∇f‖, ω_k from K GD steps");
        errors.AddColumn("K");
        foreach (var kind in estimators)
        {
            errors.AddColumn(new TableColumn(QuadraticCheck.DisplayName(kind)).RightAligned());
        }

        foreach (var group in set1.GroupBy(r => r.K))
        {
            var cells = new List<string> { group.Key.ToString(inv) };
            cells.AddRange(estimators.Select(kind => group.First(r => r.Estimator == kind).RelError.ToString("E2", inv)));
            errors.AddRow(cells.ToArray());
        }

        console.Write(errors);

        var kMax = set1.Max(r => r.K);
        var costs = new Table().Title($"Set 1: cost of one estimate at K = {kMax} (from scratch, inner GD included)");
        foreach (var header in new[] { "estimator", "grads", "HVPs", "cross", "products K−1 → K", "ms", "sweep over all K (ms)" })
        {
            costs.AddColumn(new TableColumn(header).RightAligned());
        }

        foreach (var row in set1.Where(r => r.K == kMax))
        {
            costs.AddRow(
                QuadraticCheck.DisplayName(row.Estimator),
                row.Grads.ToString(inv), row.Hvps.ToString(inv), row.Jvps.ToString(inv), row.IncrementalProducts.ToString(inv),
                (row.Seconds * 1e3).ToString("F3", inv),
                report.SweepSeconds.TryGetValue(row.Estimator, out var sweep) ? (sweep * 1e3).ToString("F3", inv) : "—");
        }

        console.Write(costs);

        var set2 = report.Rows.Where(r => r.Set == 2).ToArray();
        var alphas = set2.Select(r => r.Alpha!.Value).Distinct().ToArray();
        var synthetic = new Table().Title("Set 2: squared error ‖∇̂f_k − ∇f‖² of NS (Cor. 3.1) along ω_k = ω* + ω̃/k^α");
        synthetic.AddColumn("k");
        foreach (var alpha in alphas)
        {
            synthetic.AddColumn(new TableColumn(string.Format(inv, "α = {0}", alpha)).RightAligned());
        }

        foreach (var group in set2.GroupBy(r => r.K))
        {
            var cells = new List<string> { group.Key.ToString(inv) };
            cells.AddRange(alphas.Select(a => group.First(r => r.Alpha == a).SqError.ToString("E2", inv)));
            synthetic.AddRow(cells.ToArray());
        }

        console.Write(synthetic);

        var set3 = report.Rows.Where(r => r.Set == 3).ToArray();
        var exactInner = new Table().Title("Set 3 (not in the paper): relative error at the exact ω*, linear-system error only");
        exactInner.AddColumn("K");
        exactInner.AddColumn(new TableColumn("CG").RightAligned());
        exactInner.AddColumn(new TableColumn("NS").RightAligned());
        foreach (var group in set3.GroupBy(r => r.K))
        {
            exactInner.AddRow(
                group.Key.ToString(inv),
                group.First(r => r.Estimator == EstimatorKind.ConjugateGradient).RelError.ToString("E2", inv),
                group.First(r => r.Estimator == EstimatorKind.NeumannSeries).RelError.ToString("E2", inv));
        }

        console.Write(exactInner);

        var claims = new Table().Title("Claims").Expand();
        claims.AddColumn("claim");
        claims.AddColumn("measured");
        claims.AddColumn("holds");
        foreach (var claim in report.Claims)
        {
            claims.AddRow(Markup.Escape(claim.Claim), Markup.Escape(claim.Evidence), claim.Holds ? "[green]holds[/]" : "[red]does not hold[/]");
        }

        console.Write(claims);
    }

    private sealed record QuadraticCheckJsonRow(
        int Set,
        string Estimator,
        double? Alpha,
        int K,
        double SqError,
        double RelError,
        long Grads,
        long Hvps,
        long Jvps,
        double Seconds,
        long IncrementalProducts);
}
