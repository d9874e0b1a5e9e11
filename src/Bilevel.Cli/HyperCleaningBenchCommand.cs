using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bilevel.Benchmarks;
using Bilevel.Solvers;
using Bilevel.Tensors;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel bench hyper-cleaning</c>: closed-form oracle timings and one solver iteration on Fashion-MNIST.</summary>
internal static class HyperCleaningBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON on stdout" };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per figure (the median is reported)", DefaultValueFactory = _ => 21 };
        var threads = new Option<int?>("--threads") { Description = "OpenBLAS threads (default: OpenBLAS's own choice)" };
        var solver = new Option<string>("--solver") { Description = "Solver whose iteration is timed (paper 002 setting)", DefaultValueFactory = _ => "stocbio" };
        var set = new Option<string[]>("--set") { Description = "Solver option key=value (repeatable)" };
        var command = new Command("hyper-cleaning",
            "Time linear hyper-cleaning's closed-form oracles (batch 1000, float32) and one solver iteration on Fashion-MNIST (20000/5000, paper 002)")
        {
            json, repeats, threads, solver, set,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(repeats);
            if (count <= 0)
            {
                throw new ArgumentException($"--repeats must be a positive integer, got {count}");
            }

            if (parse.GetValue(threads) is { } t)
            {
                Blas.Threads = t > 0 ? t : throw new ArgumentException($"--threads must be a positive integer, got {t}");
            }

            var descriptor = SolverCatalog.Get(parse.GetValue(solver)!);
            var settings = (parse.GetValue(set) ?? []).Select(s =>
            {
                var (k, v) = OptionsBinder.ParseSetting(s);
                return new KeyValuePair<string, string>(k, v);
            }).ToList();
            var instance = descriptor.Create(settings);
            var problem = HyperCleaningBenchmark.Paper002Problem();
            var timings = new List<OperationTiming>(HyperCleaningBenchmark.Oracles(problem, 1000, count))
            {
                HyperCleaningBenchmark.Iteration(instance, problem, count),
            };
            var machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, {Blas.Backend}, OpenBLAS threads {Blas.Threads}, OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}";
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { machine, solver = instance.ToString(), timings }, JsonOptions));
                return 0;
            }

            var console = CliRunner.CreateConsole(Console.Out);
            console.WriteLine(machine);
            console.WriteLine(instance.ToString());
            var table = new Table().Title("linear hyper-cleaning, Fashion-MNIST 20000/5000, float32").AddColumns("operation", "median ms", "bytes allocated");
            foreach (var timing in timings)
            {
                table.AddRow(Markup.Escape(timing.Operation), timing.Milliseconds.ToString("F3", CultureInfo.InvariantCulture), timing.AllocatedBytes.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(table);
            return 0;
        });
        return command;
    }
}
