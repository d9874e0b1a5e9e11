using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process toolchain: no generated project to restore and build (the machines here reach only the package
// registries), and OpenBLAS is loaded once. Run: dotnet run -c Release --project bench/Bilevel.Benchmarks -- --filter '*'
var config = DefaultConfig.Instance.AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(Bilevel.Benchmarks.Runner.GemmBenchmarks).Assembly).Run(args, config);
