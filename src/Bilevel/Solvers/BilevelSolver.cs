using Bilevel.Problems;

namespace Bilevel.Solvers;

/// <summary>
/// A bilevel optimization method: an explicit <see cref="SolverState"/> created by <see cref="Start"/> and advanced
/// by <see cref="Iterate"/> (one iteration of the paper's algorithm). <see cref="SolverRunner"/> drives it under a
/// budget and records a trace. Every solver cites its paper and equation in its documentation.
/// </summary>
public abstract class BilevelSolver
{
    /// <summary>Name, citation, loop structure and oracle cost.</summary>
    public abstract SolverInfo Info { get; }

    /// <summary>The typed options record this solver runs with.</summary>
    public abstract object OptionsValue { get; }

    /// <summary>A fresh state at (x₀, y₀) with random streams derived from <paramref name="seed"/>.</summary>
    public abstract SolverState Start(BilevelProblem problem, ReadOnlySpan<double> upperStart, ReadOnlySpan<double> lowerStart, int seed);

    /// <summary>One iteration; advances <see cref="SolverState.Iteration"/> by one.</summary>
    public abstract void Iterate(SolverState state);

    public override string ToString() => $"{Info.DisplayName} {OptionsValue}";
}

/// <summary>
/// A solver with options <typeparamref name="TOptions"/> and state <typeparamref name="TState"/>: implement
/// <see cref="CreateState"/> and <see cref="Advance"/>.
/// </summary>
public abstract class BilevelSolver<TOptions, TState> : BilevelSolver
    where TOptions : class
    where TState : SolverState
{
    protected BilevelSolver(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The options.</summary>
    public TOptions Options { get; }

    public sealed override object OptionsValue => Options;

    public sealed override SolverState Start(BilevelProblem problem, ReadOnlySpan<double> upperStart, ReadOnlySpan<double> lowerStart, int seed)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (upperStart.Length != problem.UpperDimension)
        {
            throw new ArgumentException($"the upper start x₀ has length {upperStart.Length}, expected dx = {problem.UpperDimension}", nameof(upperStart));
        }

        if (lowerStart.Length != problem.LowerDimension)
        {
            throw new ArgumentException($"the lower start y₀ has length {lowerStart.Length}, expected dy = {problem.LowerDimension}", nameof(lowerStart));
        }

        var context = new SolverContext(problem, upperStart.ToArray(), lowerStart.ToArray(), seed);
        return CreateState(context);
    }

    public sealed override void Iterate(SolverState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state is not TState typed)
        {
            throw new ArgumentException($"{Info.DisplayName} cannot step a {state.GetType().Name}", nameof(state));
        }

        Advance(typed);
        typed.Iteration++;
    }

    /// <summary>Allocates the state (every buffer a step needs) from the starting point.</summary>
    protected abstract TState CreateState(SolverContext context);

    /// <summary>One iteration of the algorithm on <paramref name="state"/>.</summary>
    protected abstract void Advance(TState state);
}

/// <summary>What a new state starts from: the problem, copies of x₀ and y₀, and the run's seed.</summary>
public sealed record SolverContext(BilevelProblem Problem, double[] UpperStart, double[] LowerStart, int Seed);
