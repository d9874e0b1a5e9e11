using Bilevel.Problems.HyperRepresentation;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper001;
using Bilevel.Solvers.Paper002;

namespace Bilevel.Tests.Problems.HyperRepresentation;

/// <summary>The solvers named by issue 8 run on the few-shot problem (task batches from the pool) and keep finite iterates.</summary>
public sealed class FewShotSolverSmokeTests
{
    public static TheoryData<string> Solvers => ["itd-bio", "aid-bio", "anil", "anil-2-tasks", "maml", "hf-ses-itdm"];

    private static BilevelSolver Create(string name) => name switch
    {
        "itd-bio" => new ItdBiO(new ItdBiOOptions { InnerSteps = 3 }),
        "aid-bio" => new AidBiO(new AidBiOOptions { InnerSteps = 3, CgIterations = 3 }),
        "anil" => new Anil(new AnilOptions { InnerSteps = 3 }),
        "anil-2-tasks" => new Anil(new AnilOptions { InnerSteps = 3, TaskBatchSize = 2 }),
        "maml" => new Maml(new MamlOptions { InnerSteps = 2, TaskBatchSize = 2 }),
        "hf-ses-itdm" => new HfSesItdm(new HfSesItdmOptions { BatchSize = 2 }),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown"),
    };

    [Theory]
    [MemberData(nameof(Solvers))]
    public void Iterate_TinyFewShotProblem_FiniteIteratesThatMove(string name)
    {
        var problem = new FewShotHyperRepresentationProblem<float>(FewShotHyperRepresentationProblemTests.TinyEpisodes(), 3, 2, 0.1);
        var solver = Create(name);
        var x0 = problem.InitialUpperPoint(1);
        var state = solver.Start(problem, x0, new double[problem.LowerDimension], seed: 3);
        for (var i = 0; i < 3; i++)
        {
            solver.Iterate(state);
        }

        Assert.All(state.X, value => Assert.True(double.IsFinite(value)));
        Assert.All(state.Y, value => Assert.True(double.IsFinite(value)));
        Assert.NotEqual(x0, state.X);
    }

    [Fact]
    public void ItdBiO_TinyFewShotProblem_LowersTheQueryLoss()
    {
        var problem = new FewShotHyperRepresentationProblem<float>(FewShotHyperRepresentationProblemTests.TinyEpisodes(), 3, 2, 0.1);
        var solver = new ItdBiO(new ItdBiOOptions { InnerSteps = 10 });
        var state = solver.Start(problem, problem.InitialUpperPoint(1), new double[problem.LowerDimension], seed: 3);
        solver.Iterate(state);
        var first = problem.UpperValue(state.X, state.Y);
        for (var i = 0; i < 15; i++)
        {
            solver.Iterate(state);
        }

        Assert.True(problem.UpperValue(state.X, state.Y) < first, $"f went from {first} to {problem.UpperValue(state.X, state.Y)}");
    }
}
