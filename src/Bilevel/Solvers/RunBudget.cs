using Bilevel.Problems;

namespace Bilevel.Solvers;

/// <summary>Why a run stopped.</summary>
public enum StopReason
{
    /// <summary>It reached <see cref="RunBudget.Iterations"/>.</summary>
    Iterations,

    /// <summary>It used up <see cref="RunBudget.Seconds"/> of solver time.</summary>
    Seconds,

    /// <summary>It used up an oracle budget (HVPs, second-order products, gradients or samples).</summary>
    OracleBudget,

    /// <summary>The iterates stopped being finite numbers.</summary>
    Diverged,

    /// <summary>The caller cancelled it.</summary>
    Cancelled,
}

/// <summary>
/// When a run stops: after <see cref="Iterations"/> iterations, or once any of the optional limits is reached
/// (solver seconds, Hessian-vector products, second-order products, gradient evaluations, samples), checked after
/// every iteration. For example <c>new RunBudget(10_000) { Hvps = 250 }</c> is "stop after 250 HVPs".
/// </summary>
/// <param name="Iterations">The most iterations.</param>
public sealed record RunBudget(long Iterations)
{
    /// <summary>The most solver seconds (evaluation time excluded).</summary>
    public double? Seconds { get; init; }

    /// <summary>The most HVPs ∇²yy g·v.</summary>
    public long? Hvps { get; init; }

    /// <summary>The most HVPs plus cross products.</summary>
    public long? SecondOrderProducts { get; init; }

    /// <summary>The most first-order gradient evaluations (∇x f, ∇y f, ∇x g and ∇y g together).</summary>
    public long? Gradients { get; init; }

    /// <summary>The most samples touched by oracles.</summary>
    public long? Samples { get; init; }

    /// <summary>Throws one line naming the bad limit.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Iterations, "iterations");
        if (Seconds is { } s && !(s > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Seconds), $"the time budget must be positive, got {s}");
        }
    }

    /// <summary>The reason to stop now, or null to go on.</summary>
    public StopReason? Check(long iteration, double seconds, OracleCounts counts)
    {
        if (iteration >= Iterations)
        {
            return StopReason.Iterations;
        }

        if (Seconds is { } s && seconds >= s)
        {
            return StopReason.Seconds;
        }

        if ((Hvps is { } h && counts.Hvps >= h)
            || (SecondOrderProducts is { } p && counts.SecondOrderProducts >= p)
            || (Gradients is { } g && counts.Gradients >= g)
            || (Samples is { } n && counts.UpperSamples + counts.LowerSamples >= n))
        {
            return StopReason.OracleBudget;
        }

        return null;
    }
}

/// <summary>
/// Which iterations are evaluated into the trace (iteration 0 and the last one always are): every
/// <see cref="Every"/> iterations, or about <see cref="PerDecade"/> log-spaced points per decade of iterations.
/// </summary>
/// <param name="Every">Evaluate every this many iterations (0: use <see cref="PerDecade"/> only).</param>
/// <param name="PerDecade">Log-spaced points per decade (0: off).</param>
public sealed record EvaluationSchedule(int Every, int PerDecade = 0)
{
    /// <summary>Every <paramref name="n"/> iterations.</summary>
    public static EvaluationSchedule Periodic(int n) => new(n);

    /// <summary>About <paramref name="points"/> log-spaced evaluations per decade (1, 2, 3, 5, 8, 13, … for 5).</summary>
    public static EvaluationSchedule Logarithmic(int points = 10) => new(0, points);

    /// <summary>True when iteration <paramref name="iteration"/> is evaluated.</summary>
    public bool IsDue(long iteration)
    {
        if (iteration <= 0 || (Every > 0 && iteration % Every == 0))
        {
            return true;
        }

        if (PerDecade <= 0)
        {
            return false;
        }

        // Due when the integer part of PerDecade·log10 changes between iteration − 1 and iteration.
        var now = Math.Floor(PerDecade * Math.Log10(iteration));
        var before = iteration == 1 ? double.NegativeInfinity : Math.Floor(PerDecade * Math.Log10(iteration - 1));
        return now > before;
    }
}
