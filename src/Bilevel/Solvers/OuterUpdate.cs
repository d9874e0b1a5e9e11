namespace Bilevel.Solvers;

/// <summary>The rule that turns an outer (hyper)gradient into an outer step.</summary>
public enum OuterOptimizer
{
    /// <summary>x ← x − β g: the papers' algorithms as written.</summary>
    Sgd,

    /// <summary>
    /// Adam (Kingma &amp; Ba 2015) with PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸ and bias correction, step size β:
    /// paper 002 §5.2 runs every meta-learning method with Adam as the outer optimizer.
    /// </summary>
    Adam,
}

/// <summary>
/// One outer variable's update under an <see cref="OuterOptimizer"/>: plain steps, or Adam with its per-coordinate
/// moments kept here (one instance per variable: x, and for MAML / ANIL the head initialization y₀). Allocation-free
/// after construction.
/// </summary>
public sealed class OuterUpdate
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;
    private readonly double[] _first;
    private readonly double[] _second;
    private long _steps;

    public OuterUpdate(OuterOptimizer optimizer, int dimension)
    {
        if (!Enum.IsDefined(optimizer))
        {
            throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "not an outer optimizer");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        Optimizer = optimizer;
        _first = optimizer == OuterOptimizer.Adam ? new double[dimension] : [];
        _second = optimizer == OuterOptimizer.Adam ? new double[dimension] : [];
    }

    public OuterOptimizer Optimizer { get; }

    /// <summary>Steps applied so far.</summary>
    public long Steps => _steps;

    /// <summary>
    /// target ← target − step · g (SGD), or with Adam: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
    /// target ← target − step · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε).
    /// </summary>
    public void Apply(double step, ReadOnlySpan<double> gradient, Span<double> target)
    {
        if (gradient.Length != target.Length)
        {
            throw new ArgumentException($"gradient has length {gradient.Length}, target {target.Length}", nameof(gradient));
        }

        _steps++;
        if (Optimizer == OuterOptimizer.Sgd)
        {
            Numerics.Vectors.Axpy(-step, gradient, target);
            return;
        }

        if (gradient.Length != _first.Length)
        {
            throw new ArgumentException($"gradient has length {gradient.Length}, this update was made for {_first.Length}", nameof(gradient));
        }

        var correction1 = 1 - Math.Pow(Beta1, _steps);
        var correction2 = 1 - Math.Pow(Beta2, _steps);
        for (var i = 0; i < target.Length; i++)
        {
            var g = gradient[i];
            var m = _first[i] = (Beta1 * _first[i]) + ((1 - Beta1) * g);
            var v = _second[i] = (Beta2 * _second[i]) + ((1 - Beta2) * g * g);
            target[i] -= step * (m / correction1) / (Math.Sqrt(v / correction2) + Epsilon);
        }
    }
}
