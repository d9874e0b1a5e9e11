using Bilevel.Hypergradients;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Hypergradients;

/// <summary>Bad input to inner gradient descent, trajectories and estimators throws before any work is done.</summary>
public sealed class ArgumentValidationTests
{
    private static readonly QuadraticBilevelProblem Problem = TestProblems.Quadratic(3, 4, 40);

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(0)]
    public void Run_StartOfWrongLength_ThrowsArgumentExceptionNamingStart(int length)
    {
        var before = Problem.Counter.Snapshot();
        var error = Assert.Throws<ArgumentException>(() =>
            InnerGradientDescent.Run(Problem, new double[3], new double[length], 5, 0.1, keepHistory: true));
        Assert.Equal("start", error.ParamName);
        Assert.Contains("y_0", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Problem.Counter.Snapshot());
    }

    [Fact]
    public void Run_UpperPointOfWrongLength_ThrowsArgumentExceptionNamingX()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            InnerGradientDescent.Run(Problem, new double[2], new double[4], 5, 0.1, keepHistory: false));
        Assert.Equal("x", error.ParamName);
    }

    [Fact]
    public void Run_TrajectoryOfWrongDimension_ThrowsArgumentExceptionNamingTrajectory()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            InnerGradientDescent.Run(Problem, new double[3], new double[4], 5, 0.1, new LowerTrajectory(5, keepHistory: true)));
        Assert.Equal("trajectory", error.ParamName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void Run_NonPositiveStep_ThrowsArgumentOutOfRangeNamingStepSize(double stepSize)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            InnerGradientDescent.Run(Problem, new double[3], new double[4], 5, stepSize, keepHistory: true));
        Assert.Equal("stepSize", error.ParamName);
    }

    [Fact]
    public void Run_NegativeSteps_ThrowsArgumentOutOfRange() =>
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() =>
            InnerGradientDescent.Run(Problem, new double[3], new double[4], -1, 0.1, keepHistory: true)).ParamName);

    [Fact]
    public void Constructors_NonPositiveStepOrTruncation_Throw()
    {
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => new ForwardRecursion(0)).ParamName);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => new ForwardRecursion(-1)).ParamName);
        Assert.Equal("virtualStep", Assert.Throws<ArgumentOutOfRangeException>(() => new JacobianRecursion(0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new JacobianRecursion(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IterativeDifferentiation(0));
        Assert.Throws<ArgumentNullException>(() => new ImplicitDifferentiation(null!));
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(4, 3)]
    [InlineData(3, 2)]
    [InlineData(3, 4)]
    public void Estimate_WrongLengthXOrOutput_ThrowsArgumentExceptionStatingDx(int xLength, int outputLength)
    {
        var trajectory = LowerTrajectory.FromPoint(new double[4]);
        var before = Problem.Counter.Snapshot();
        var error = Assert.Throws<ArgumentException>(() =>
            new ExactHypergradient().Estimate(Problem, new double[xLength], trajectory, new double[outputLength]));
        Assert.Contains("dx = 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Problem.Counter.Snapshot());
    }

    [Fact]
    public void Estimate_WrongLengthXOrOutput_ThrowsArgumentExceptionNamingTheArgument()
    {
        var trajectory = LowerTrajectory.FromPoint(new double[4]);
        var method = new ExactHypergradient();
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => method.Estimate(Problem, new double[2], trajectory, new double[3])).ParamName);
        Assert.Equal("hypergradient", Assert.Throws<ArgumentException>(() => method.Estimate(Problem, new double[3], trajectory, new double[2])).ParamName);
    }

    [Fact]
    public void Estimate_TrajectoryOfWrongDimension_ThrowsArgumentExceptionNamingTrajectory()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new IterativeDifferentiation().Estimate(Problem, new double[3], LowerTrajectory.FromPoint(new double[5]), new double[3]));
        Assert.Equal("trajectory", error.ParamName);
    }

    [Fact]
    public void Estimate_EmptyTrajectory_ThrowsArgumentExceptionNamingTrajectory()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new ExactHypergradient().Estimate(Problem, new double[3], new LowerTrajectory(4, keepHistory: false), new double[3]));
        Assert.Equal("trajectory", error.ParamName);
    }

    [Theory]
    [InlineData(Estimators.Itd)]
    [InlineData(Estimators.JacobianRecursion)]
    [InlineData(Estimators.Fsla)]
    public void Estimate_HistoryMethodOnLastPointOnlyTrajectory_ThrowsArgumentExceptionNamingTrajectory(string estimator)
    {
        var trajectory = InnerGradientDescent.Run(Problem, new double[3], new double[4], 3, 0.1, keepHistory: false);
        var error = Assert.Throws<ArgumentException>(() =>
            Estimators.Create(estimator, 3, 0.1).Estimate(Problem, new double[3], trajectory, new double[3]));
        Assert.Equal("trajectory", error.ParamName);
        Assert.Contains("keepHistory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LowerTrajectory_IterateWithoutHistoryOrOutOfRange_Throws()
    {
        var trajectory = InnerGradientDescent.Run(Problem, new double[3], new double[4], 3, 0.1, keepHistory: false);
        Assert.Throws<InvalidOperationException>(() => trajectory.Iterate(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => trajectory.Iterate(4).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => trajectory.StepSize(3));
        Assert.Throws<ArgumentException>(() => trajectory.Append(new double[5], 0.1));
        Assert.Throws<InvalidOperationException>(() => new LowerTrajectory(4, keepHistory: true).Last.ToArray());
    }
}
