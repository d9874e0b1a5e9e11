using System.Numerics;
using Bilevel.Autodiff;

namespace Bilevel.Tests.Autodiff;

public sealed class GradientCheckTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var check in GradientCheckCases.All)
        {
            data.Add(check.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Run_EveryOperation_GradientHvpCrossAndFloat32WithinTolerance(string name)
    {
        var check = GradientCheckCases.All.Single(c => c.Name == name);
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var results = GradientCheck.Run(check, seed);
            Assert.Contains(results, r => r.Quantity == "hvp");
            foreach (var result in results)
            {
                Assert.True(result.Passed, $"{result.Case} {result.Quantity} seed {seed}: {result.RelativeError:E2} > {result.Tolerance}");
            }
        }
    }

    [Fact]
    public void Run_CorruptedSecondOrderRule_IsCaught()
    {
        var results = GradientCheck.Run(new CorruptedCase(), 0);
        Assert.True(results.Single(r => r.Quantity == "gradient").Passed);
        Assert.False(results.Single(r => r.Quantity == "hvp").Passed);
    }

    [Fact]
    public void Pass_SameInputs_BitwiseRepeatable()
    {
        var first = OnePass();
        var second = OnePass();
        Assert.Equal(first, second);
    }

    private static double[] OnePass()
    {
        var check = GradientCheckCases.All[^1];
        var graph = new Graph<double>(tangents: true);
        var x = Enumerable.Range(0, check.Upper.Size).Select(i => Math.Sin(i)).ToArray();
        var y = Enumerable.Range(0, check.Lower.Size).Select(i => Math.Cos(i)).ToArray();
        var v = Enumerable.Range(0, check.Lower.Size).Select(i => 1.0 / (i + 1)).ToArray();
        var gx = new double[x.Length];
        var hx = new double[x.Length];
        var gy = new double[y.Length];
        var hy = new double[y.Length];
        var loss = check.Build(graph, check.Upper.Bind(graph, x, null, gx, hx), check.Lower.Bind(graph, y, v, gy, hy));
        graph.Backward(loss);
        return [loss.Value[0], .. gx, .. hx, .. gy, .. hy];
    }

    /// <summary>tanh with a wrong adjoint tangent (a stray term), to show the check fails when a rule is wrong.</summary>
    private sealed class CorruptedCase : IGradientCheckCase
    {
        public CorruptedCase()
        {
            Upper.Add("u", 4);
            Lower.Add("v", 4);
        }

        public string Name => "corrupted";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var z = graph.Tanh(graph.Multiply(x[0], y[0]));
            var v = y[0];
            graph.Record(() =>
            {
                if (v.GradientTangent is not null)
                {
                    v.GradientTangent[0] += T.CreateChecked(0.1);
                }
            });
            return graph.SumOfSquares(z, T.One);
        }
    }
}
