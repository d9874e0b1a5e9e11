using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bilevel.Benchmarks;
using Bilevel.Tensors;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary><c>bilevel bench engine</c>: quick engine figures (GEMM, gradient vs HVP + cross pass per model).</summary>
internal static class BenchCommand
{
    private static readonly string[] GemmColumns = ["backend", "type", "n", "ms", "GFLOP/s"];
    private static readonly string[] ModelColumns = ["model", "gradient ms", "HVP+cross ms", "ratio", "alloc/pass (grad, 2nd)"];
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON on stdout" };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per figure (the median is reported)", DefaultValueFactory = _ => 7 };
        var threads = new Option<int?>("--threads") { Description = "OpenBLAS threads (default: OpenBLAS's own choice)" };
        var engine = new Command("engine", "Time GEMM and, for each benchmark model, a gradient pass against one HVP + cross-product pass (float32)")
        {
            json, repeats, threads,
        };
        engine.SetAction((parse, cancellationToken) =>
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

            var gemm = new List<GemmTiming>
            {
                EngineBenchmark.Gemm<float>(1024, managed: false, count),
                EngineBenchmark.Gemm<double>(1024, managed: false, count),
                EngineBenchmark.Gemm<float>(1024, managed: true, Math.Min(count, 3)),
            };
            var models = new List<EngineTiming>
            {
                EngineBenchmark.Time(EngineBenchmark.SoftmaxRegression<float>(), count, 2, cancellationToken),
                EngineBenchmark.Time(EngineBenchmark.ConvNetHyperCleaning<float>(), count, 2, cancellationToken),
                EngineBenchmark.Time(EngineBenchmark.RnnHyperRepresentation<float>(), count, 2, cancellationToken),
            };
            var machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, OPENBLAS_CORETYPE={Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "(unset)"}";
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    machine,
                    blas = Blas.Backend,
                    gemm = gemm.Select(g => new { backend = g.Backend, type = g.Type, size = g.Size, milliseconds = g.Milliseconds, gflops = g.GigaflopsPerSecond }),
                    models = models.Select(m => new
                    {
                        model = m.Model,
                        gradientMs = m.GradientMilliseconds,
                        hvpCrossMs = m.SecondOrderMilliseconds,
                        ratio = m.Ratio,
                        gradientAllocatedBytes = m.GradientAllocatedBytes,
                        hvpCrossAllocatedBytes = m.SecondOrderAllocatedBytes,
                    }),
                }, JsonOptions));
                return Task.FromResult(0);
            }

            var console = CliRunner.CreateConsole(Console.Out);
            console.WriteLine(machine);
            var gemmTable = new Table().Title("GEMM n × n × n");
            foreach (var column in GemmColumns)
            {
                gemmTable.AddColumn(column);
            }

            foreach (var g in gemm)
            {
                gemmTable.AddRow(Markup.Escape(g.Backend), g.Type, g.Size.ToString(CultureInfo.InvariantCulture),
                    g.Milliseconds.ToString("F1", CultureInfo.InvariantCulture), g.GigaflopsPerSecond.ToString("F1", CultureInfo.InvariantCulture));
            }

            console.Write(gemmTable);
            var modelTable = new Table().Title("Gradient pass vs one HVP + cross-product pass (float32, median)");
            foreach (var column in ModelColumns)
            {
                modelTable.AddColumn(column);
            }

            foreach (var m in models)
            {
                modelTable.AddRow(Markup.Escape(m.Model), m.GradientMilliseconds.ToString("F1", CultureInfo.InvariantCulture),
                    m.SecondOrderMilliseconds.ToString("F1", CultureInfo.InvariantCulture), m.Ratio.ToString("F2", CultureInfo.InvariantCulture),
                    $"{m.GradientAllocatedBytes / 1024} KiB, {m.SecondOrderAllocatedBytes / 1024} KiB");
            }

            console.Write(modelTable);
            return Task.FromResult(0);
        });
        return new Command("bench", "Quick performance figures (BenchmarkDotNet runs the same models from bench/)") { engine };
    }
}
