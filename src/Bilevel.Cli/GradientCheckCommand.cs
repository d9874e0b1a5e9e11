using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bilevel.Autodiff;
using Bilevel.Tensors;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary>
/// <c>bilevel gradcheck</c>: every engine operation's gradient, Hessian-vector product and cross product against
/// central finite differences in float64, and float32 against float64; exits 1 when any check fails.
/// </summary>
internal static class GradientCheckCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of checks on stdout instead of a table" };
        var seed = new Option<int>("--seed") { Description = "Seed of the random points and directions", DefaultValueFactory = _ => 0 };
        var command = new Command("gradcheck",
            "Check the autodiff engine: gradient, HVP (∇²yy L·v) and cross product (∇²xy L·v) of every operation against central finite differences (float64), and float32 against float64")
        {
            json, seed,
        };
        command.SetAction(parse =>
        {
            var results = new List<GradientCheckResult>();
            foreach (var check in GradientCheckCases.All)
            {
                results.AddRange(GradientCheck.Run(check, parse.GetValue(seed)));
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    @case = r.Case,
                    quantity = r.Quantity,
                    relError = r.RelativeError,
                    tolerance = r.Tolerance,
                    reference = r.Reference,
                    passed = r.Passed,
                }), JsonOptions));
            }
            else
            {
                var console = CliRunner.CreateConsole(Console.Out);
                var table = new Table().Title($"Engine checks (matrix products: {Blas.Backend})");
                table.AddColumn("case");
                table.AddColumn("quantity");
                table.AddColumn(new TableColumn("rel. error").RightAligned());
                table.AddColumn(new TableColumn("tolerance").RightAligned());
                table.AddColumn("reference");
                table.AddColumn("result");
                foreach (var r in results)
                {
                    table.AddRow(Markup.Escape(r.Case), r.Quantity, r.RelativeError.ToString("E2", CultureInfo.InvariantCulture),
                        r.Tolerance.ToString("G2", CultureInfo.InvariantCulture), Markup.Escape(r.Reference), r.Passed ? "pass" : "FAIL");
                }

                console.Write(table);
            }

            var failed = results.Count(r => !r.Passed);
            if (failed > 0)
            {
                Console.Error.WriteLine($"bilevel: gradcheck: {failed} of {results.Count} checks failed");
                return 1;
            }

            return 0;
        });
        return command;
    }
}
