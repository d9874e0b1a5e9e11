using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bilevel.Benchmarks;
using Bilevel.Problems.Newsgroups;
using Bilevel.Tensors;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel bench newsgroups</c>: closed-form oracle timings of the 20 Newsgroups per-feature L2 problem.</summary>
internal static class NewsgroupsBenchCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON on stdout" };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per figure (the median is reported)", DefaultValueFactory = _ => 11 };
        var threads = new Option<int?>("--threads") { Description = "Oracle threads (default: OpenBLAS's thread count)" };
        var batch = new Option<int[]>("--batch") { Description = "Batch sizes to time, 0 = full batch (repeatable)", DefaultValueFactory = _ => [0, 1000] };
        var command = new Command("newsgroups",
            "Time the 20 Newsgroups per-feature L2 problem's closed-form oracles (p = 101,629, c = 20, 5657/5657 rows, float64; paper 002 §4.2)")
        {
            json, repeats, threads, batch,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(repeats);
            if (count <= 0)
            {
                throw new ArgumentException($"--repeats must be a positive integer, got {count}");
            }

            var threadCount = parse.GetValue(threads);
            if (threadCount is <= 0)
            {
                throw new ArgumentException($"--threads must be a positive integer, got {threadCount}");
            }

            var sizes = parse.GetValue(batch) is { Length: > 0 } given ? given : [0];
            if (sizes.FirstOrDefault(size => size < 0) is var negative and < 0)
            {
                throw new ArgumentException($"--batch must be 0 (full batch) or a positive batch size, got {negative}");
            }

            var clock = Stopwatch.StartNew();
            var problem = new PerFeatureL2Problem(NewsgroupsSetups.Create()) { Threads = threadCount };
            var setupSeconds = clock.Elapsed.TotalSeconds;
            var timings = new List<OperationTiming>();
            foreach (var size in sizes)
            {
                timings.AddRange(NewsgroupsBenchmark.Oracles(problem, size, count));
            }

            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
            var machine = $"{Environment.ProcessorCount} cores, load average {load}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, oracle threads {problem.Threads ?? Blas.Threads}";
            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new { machine, data = problem.Data.Description, setupSeconds, peakWorkingSetMiB = peak, timings }, JsonOptions));
                return 0;
            }

            var console = CliRunner.CreateConsole(Console.Out);
            console.WriteLine(machine);
            console.WriteLine($"{problem.Data.Description}; setup {setupSeconds:F1} s; peak working set {peak:F0} MiB");
            var table = new Table().Title("20 Newsgroups per-feature L2, float64").AddColumns("operation", "median ms", "bytes allocated");
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
