using Bilevel.Solvers;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers;

/// <summary>
/// Issue 6's acceptance checks for every catalogued solver: on the finite-sum quadratic (dx = 10, dy = 20, κ = 10)
/// each reaches ‖∇Φ(x)‖ ≤ 1e-2·‖∇Φ(x₀)‖ (deterministic methods 1e-6) within its documented budget and settings;
/// the same seed gives the same trace bit for bit; every solver is documented.
/// </summary>
public sealed class SolverCatalogTests
{
    public static TheoryData<string> Names => Select(_ => true);

    public static TheoryData<string> Reaching => Select(d => d.ConvergenceCheck.Shortfall is null);

    public static TheoryData<string> FallingShort => Select(d => d.ConvergenceCheck.Shortfall is not null);

    private static TheoryData<string> Select(Func<SolverDescriptor, bool> predicate)
    {
        var data = new TheoryData<string>();
        foreach (var descriptor in SolverCatalog.All)
        {
            if (predicate(descriptor))
            {
                data.Add(descriptor.Info.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Reaching))]
    public void ConvergenceCheck_FiniteSumQuadratic_ReachesTolerance(string name)
    {
        var descriptor = SolverCatalog.Get(name);
        var tolerance = descriptor.Info.Stochastic ? 1e-2 : 1e-6;
        Assert.NotEmpty(descriptor.ConvergenceCheck.Seeds);
        foreach (var seed in descriptor.ConvergenceCheck.Seeds)
        {
            var (ratio, trace) = SolverKit.RunConvergenceCheck(descriptor, seed);
            Assert.True(ratio <= tolerance,
                $"{descriptor.Info.DisplayName}, seed {seed}: ‖∇Φ‖ ratio {ratio:E3} > {tolerance:E0} after {trace.Final.Iteration} iterations ({trace.StopReason}); settings: {descriptor.ConvergenceCheck.Note}");
        }
    }

    [Theory]
    [MemberData(nameof(FallingShort))]
    public void ConvergenceCheck_DocumentedShortfall_StillMissesTolerance(string name)
    {
        var descriptor = SolverCatalog.Get(name);
        var (ratio, trace) = SolverKit.RunConvergenceCheck(descriptor, descriptor.ConvergenceCheck.Seeds[0]);
        var tolerance = descriptor.Info.Stochastic ? 1e-2 : 1e-6;
        Assert.True(ratio > tolerance,
            $"{descriptor.Info.DisplayName} now reaches ‖∇Φ‖ ratio {ratio:E3} ≤ {tolerance:E0} after {trace.Final.Iteration} iterations: remove its documented shortfall ({descriptor.ConvergenceCheck.Shortfall})");
        Assert.True(double.IsFinite(ratio), $"{descriptor.Info.DisplayName}: the documented setting diverges ({trace.StopReason})");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Run_SameSeed_GivesBitwiseSameTrace(string name)
    {
        var descriptor = SolverCatalog.Get(name);
        var settings = new RunSettings(new RunBudget(15), Seed: 4) { Schedule = EvaluationSchedule.Periodic(1) };
        var a = SolverRunner.Run(descriptor.Create(descriptor.ConvergenceCheck.Settings), SolverKit.CheckProblem(), settings);
        var b = SolverRunner.Run(descriptor.Create(descriptor.ConvergenceCheck.Settings), SolverKit.CheckProblem(), settings);
        Assert.Equal(a.Rows.Count, b.Rows.Count);
        for (var i = 0; i < a.Rows.Count; i++)
        {
            Assert.Equal(a.Rows[i].UpperLoss, b.Rows[i].UpperLoss);
            Assert.Equal(a.Rows[i].HypergradientNorm, b.Rows[i].HypergradientNorm);
            Assert.Equal(a.Rows[i].Counts.WithoutTime(), b.Rows[i].Counts.WithoutTime());
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Descriptor_EverySolver_IsDocumented(string name)
    {
        var descriptor = SolverCatalog.Get(name);
        Assert.Matches("^00[0-4]$", descriptor.Info.Paper);
        Assert.Contains("aper", descriptor.Info.Citation, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Info.CostPerIteration));
        Assert.NotEmpty(descriptor.Options);
        foreach (var option in descriptor.Options)
        {
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{descriptor.Info.DisplayName} option {option.Name} has no documentation");
        }
    }

    [Fact]
    public void Get_UnknownName_ThrowsListingNames()
    {
        var e = Assert.Throws<ArgumentException>(() => SolverCatalog.Get("no-such-solver"));
        Assert.Contains("aid-bio", e.Message, StringComparison.Ordinal);
    }
}
