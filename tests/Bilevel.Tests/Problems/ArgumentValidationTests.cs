using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems;

/// <summary>
/// A span of the wrong length, shorter or longer, makes every public oracle throw an <see cref="ArgumentException"/>
/// whose ParamName is the offending argument, before anything is counted.
/// </summary>
public sealed class ArgumentValidationTests
{
    private const int Dx = 3;
    private const int Dy = 4;

    public static TheoryData<string, string, string, int> Cases
    {
        get
        {
            var data = new TheoryData<string, string, string, int>();
            (string Oracle, string Argument)[] cases =
            [
                ("UpperValue", "x"), ("UpperValue", "y"),
                ("LowerValue", "x"), ("LowerValue", "y"),
                ("UpperGradients", "x"), ("UpperGradients", "y"), ("UpperGradients", "gradientX"), ("UpperGradients", "gradientY"),
                ("UpperGradientX", "y"), ("UpperGradientX", "gradientX"),
                ("UpperGradientY", "x"), ("UpperGradientY", "gradientY"),
                ("LowerGradients", "x"), ("LowerGradients", "y"), ("LowerGradients", "gradientX"), ("LowerGradients", "gradientY"),
                ("LowerGradientX", "x"), ("LowerGradientX", "gradientX"),
                ("LowerGradientY", "y"), ("LowerGradientY", "gradientY"),
                ("LowerHvp", "x"), ("LowerHvp", "y"), ("LowerHvp", "v"), ("LowerHvp", "hvp"),
                ("LowerCrossProduct", "x"), ("LowerCrossProduct", "v"), ("LowerCrossProduct", "crossProduct"),
                ("LowerHvpAndCrossProduct", "y"), ("LowerHvpAndCrossProduct", "v"), ("LowerHvpAndCrossProduct", "hvp"),
                ("LowerHvpAndCrossProduct", "crossProduct"),
                ("ExactLowerSolution", "x"), ("ExactLowerSolution", "lowerSolution"),
                ("ExactHypergradient", "x"), ("ExactHypergradient", "hypergradient"),
                ("ExactUpperObjective", "x"),
            ];
            foreach (var kind in new[] { "quadratic", "least-squares" })
            {
                foreach (var (oracle, argument) in cases)
                {
                    data.Add(kind, oracle, argument, -1);
                    data.Add(kind, oracle, argument, +1);
                }
            }

            return data;
        }
    }

    private static BilevelProblem Create(string kind) => kind == "quadratic"
        ? TestProblems.Quadratic(Dx, Dy, 1)
        : new LeastSquaresBilevelProblem(
            MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Random(20, Dy, 1),
            MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Random(20, 2),
            MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Random(20, Dx, 3),
            MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Random(20, Dy, 4),
            MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Random(20, 5));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Oracle_WrongLengthArgument_ThrowsArgumentExceptionNamingIt(string kind, string oracle, string argument, int lengthChange)
    {
        var problem = Create(kind);
        var exact = (IExactBilevelProblem)problem;
        double[] Span(string name, int length) => new double[name == argument ? length + lengthChange : length];
        var x = Span("x", Dx);
        var y = Span("y", Dy);
        var v = Span("v", Dy);
        Action call = oracle switch
        {
            "UpperValue" => () => problem.UpperValue(x, y),
            "LowerValue" => () => problem.LowerValue(x, y),
            "UpperGradients" => () => problem.UpperGradients(x, y, Span("gradientX", Dx), Span("gradientY", Dy)),
            "UpperGradientX" => () => problem.UpperGradientX(x, y, Span("gradientX", Dx)),
            "UpperGradientY" => () => problem.UpperGradientY(x, y, Span("gradientY", Dy)),
            "LowerGradients" => () => problem.LowerGradients(x, y, Span("gradientX", Dx), Span("gradientY", Dy)),
            "LowerGradientX" => () => problem.LowerGradientX(x, y, Span("gradientX", Dx)),
            "LowerGradientY" => () => problem.LowerGradientY(x, y, Span("gradientY", Dy)),
            "LowerHvp" => () => problem.LowerHvp(x, y, v, Span("hvp", Dy)),
            "LowerCrossProduct" => () => problem.LowerCrossProduct(x, y, v, Span("crossProduct", Dx)),
            "LowerHvpAndCrossProduct" => () => problem.LowerHvpAndCrossProduct(x, y, v, Span("hvp", Dy), Span("crossProduct", Dx)),
            "ExactLowerSolution" => () => exact.ExactLowerSolution(x, Span("lowerSolution", Dy)),
            "ExactHypergradient" => () => exact.ExactHypergradient(x, Span("hypergradient", Dx)),
            "ExactUpperObjective" => () => exact.ExactUpperObjective(x),
            _ => throw new ArgumentOutOfRangeException(nameof(oracle)),
        };

        var before = problem.Counter.Snapshot();
        var error = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(argument, error.ParamName);
        Assert.Contains(argument, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, problem.Counter.Snapshot());
    }

    [Fact]
    public void Oracle_RightLengths_DoNotThrow()
    {
        // The control for the theory above: the same calls with every length right succeed.
        foreach (var kind in new[] { "quadratic", "least-squares" })
        {
            var problem = Create(kind);
            var exact = (IExactBilevelProblem)problem;
            var x = new double[Dx];
            var y = new double[Dy];
            problem.LowerHvpAndCrossProduct(x, y, y, new double[Dy], new double[Dx]);
            problem.UpperGradients(x, y, new double[Dx], new double[Dy]);
            problem.LowerGradients(x, y, new double[Dx], new double[Dy]);
            exact.ExactHypergradient(x, new double[Dx]);
            Assert.True(double.IsFinite(exact.ExactUpperObjective(x)));
        }
    }

    [Fact]
    public void Constructor_QuadraticWithIndefiniteLowerHessian_Throws()
    {
        var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build;
        var vb = MathNet.Numerics.LinearAlgebra.Vector<double>.Build;
        var upper = new QuadraticForm(m.DenseIdentity(2), m.Dense(2, 2), m.DenseIdentity(2), vb.Dense(2), vb.Dense(2));
        var lower = upper with { Qyy = m.DenseOfDiagonalArray([1.0, -1.0]) };
        Assert.Equal("lower", Assert.Throws<ArgumentException>(() => new QuadraticBilevelProblem(upper, lower)).ParamName);
    }

    [Theory]
    [InlineData(0, 2, 4.0)]
    [InlineData(2, 0, 4.0)]
    [InlineData(2, 2, 0.5)]
    [InlineData(2, 2, double.NaN)]
    public void CreateRandom_InvalidArguments_Throw(int dx, int dy, double conditionNumber) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => QuadraticBilevelProblem.CreateRandom(dx, dy, conditionNumber, 1));
}
