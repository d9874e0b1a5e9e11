using BenchmarkDotNet.Attributes;
using Bilevel.Tensors;

namespace Bilevel.Benchmarks.Runner;

/// <summary>GEMM n × n × n through <see cref="Blas"/> (OpenBLAS, or the managed kernel when forced).</summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private double[] _ad = [];
    private double[] _bd = [];
    private double[] _cd = [];

    [Params(1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _a = Enumerable.Range(0, Size * Size).Select(_ => (float)random.NextDouble()).ToArray();
        _b = Enumerable.Range(0, Size * Size).Select(_ => (float)random.NextDouble()).ToArray();
        _c = new float[Size * Size];
        _ad = _a.Select(v => (double)v).ToArray();
        _bd = _b.Select(v => (double)v).ToArray();
        _cd = new double[Size * Size];
    }

    [Benchmark(Description = "sgemm (OpenBLAS)")]
    public void Sgemm() => Blas.Gemm(false, false, Size, Size, Size, 1f, _a, Size, _b, Size, 0f, _c, Size);

    [Benchmark(Description = "dgemm (OpenBLAS)")]
    public void Dgemm() => Blas.Gemm(false, false, Size, Size, Size, 1.0, _ad, Size, _bd, Size, 0.0, _cd, Size);

    [Benchmark(Description = "sgemm (managed SIMD)")]
    public void ManagedSgemm()
    {
        Blas.ForceManaged = true;
        try
        {
            Blas.Gemm(false, false, Size, Size, Size, 1f, _a, Size, _b, Size, 0f, _c, Size);
        }
        finally
        {
            Blas.ForceManaged = false;
        }
    }
}

/// <summary>The three models of the engine issue, float32: a gradient pass against one HVP + cross-product pass.</summary>
[MemoryDiagnoser]
public class EngineModelBenchmarks
{
    public enum Model
    {
        SoftmaxRegression,
        ConvNet,
        Rnn,
    }

    private EngineModel<float> _model = null!;

    [ParamsAllValues]
    public Model Which { get; set; }

    [GlobalSetup]
    public void Setup() => _model = Which switch
    {
        Model.SoftmaxRegression => EngineBenchmark.SoftmaxRegression<float>(),
        Model.ConvNet => EngineBenchmark.ConvNetHyperCleaning<float>(),
        _ => EngineBenchmark.RnnHyperRepresentation<float>(),
    };

    [Benchmark(Baseline = true)]
    public float Gradient() => _model.Gradient();

    [Benchmark]
    public float HvpAndCross() => _model.SecondOrder();
}
