using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bilevel.Benchmarks;
using Bilevel.Tensors;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel bench omniglot</c>: oracle timings of the few-shot hyper-representation problem (notebook 03).</summary>
internal static class OmniglotBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON on stdout" };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per figure (the median is reported)", DefaultValueFactory = _ => 5 };
        var threads = new Option<int?>("--threads") { Description = "OpenBLAS threads (default: OpenBLAS's own choice)" };
        var filters = new Option<int[]>("--filters") { Description = "ConvNet filters per block (repeatable)", DefaultValueFactory = _ => [32, 64] };
        var ways = new Option<int>("--ways") { Description = "N, classes per task", DefaultValueFactory = _ => 5 };
        var shots = new Option<int>("--shots") { Description = "K, support images per class", DefaultValueFactory = _ => 5 };
        var queries = new Option<int>("--queries") { Description = "Query images per class", DefaultValueFactory = _ => 15 };
        var tasks = new Option<int>("--tasks") { Description = "Tasks in the pool (meta-batch)", DefaultValueFactory = _ => 4 };
        var command = new Command("omniglot",
            "Time the few-shot hyper-representation oracles on Omniglot (4-block ConvNet x, per-task linear heads y; papers 001 and 002), float32")
        {
            json, repeats, threads, filters, ways, shots, queries, tasks,
        };
        command.SetAction(parse =>
        {
            var count = Positive(parse.GetValue(repeats), "--repeats");
            if (parse.GetValue(threads) is { } t)
            {
                Blas.Threads = Positive(t, "--threads");
            }

            var (n, k, q, m) = (Positive(parse.GetValue(ways), "--ways"), Positive(parse.GetValue(shots), "--shots"),
                Positive(parse.GetValue(queries), "--queries"), Positive(parse.GetValue(tasks), "--tasks"));
            var timings = new List<OperationTiming>();
            foreach (var f in parse.GetValue(filters) is { Length: > 0 } given ? given : [64])
            {
                timings.AddRange(FewShotBenchmark.Oracles(Positive(f, "--filters"), n, k, q, m, count));
            }

            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
            var machine = $"{Environment.ProcessorCount} cores, load average {load}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, {Blas.Backend}";
            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { machine, peakWorkingSetMiB = peak, timings }, JsonOptions));
                return 0;
            }

            var console = CliRunner.CreateConsole(Console.Out);
            console.WriteLine(machine);
            var table = new Table().Title("Omniglot few-shot hyper-representation, float32").AddColumns("operation", "median ms", "bytes allocated");
            foreach (var timing in timings)
            {
                table.AddRow(Markup.Escape(timing.Operation), timing.Milliseconds.ToString("F2", CultureInfo.InvariantCulture), timing.AllocatedBytes.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(table);
            return 0;
        });
        return command;
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new ArgumentException($"{option} must be a positive integer, got {value}");
}
