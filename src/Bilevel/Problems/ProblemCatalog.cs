namespace Bilevel.Problems;

/// <summary>A registered problem: a name for <c>bilevel solve --problem</c>, what it is, and a factory taking the data seed.</summary>
public sealed record ProblemDescriptor(string Name, string Description, Func<int, BilevelProblem> Create);

/// <summary>The problems <c>bilevel solve</c> can run any solver on.</summary>
public static class ProblemCatalog
{
    /// <summary>The finite-sum quadratic of the solver checks: dx = 10, dy = 20, κ = 10, n = 200 samples per level.</summary>
    public static FiniteSumQuadraticProblem CreateSolverCheckProblem(int seed = 0) =>
        FiniteSumQuadraticProblem.CreateRandom(10, 20, 10, 200, seed);

    /// <summary>All registered problems.</summary>
    public static IReadOnlyList<ProblemDescriptor> All { get; } =
    [
        new("finite-sum-quadratic", "finite-sum stochastic quadratic, dx = 10, dy = 20, κ = 10, n = 200 samples per level; exact y*, ∇Φ", seed => CreateSolverCheckProblem(seed)),
        new("quadratic", "deterministic random quadratic, dx = 10, dy = 20, κ = 10; exact y*, ∇Φ", seed => QuadraticBilevelProblem.CreateRandom(10, 20, 10, seed)),
    ];

    /// <summary>The problem named <paramref name="name"/>; a one-line error lists the names otherwise.</summary>
    public static ProblemDescriptor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var descriptor in All)
        {
            if (string.Equals(descriptor.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return descriptor;
            }
        }

        throw new ArgumentException($"problem '{name}' is not known (problems: {string.Join(", ", All.Select(d => d.Name))})");
    }
}
