using System.Numerics.Tensors;

namespace Bilevel.Solvers.Paper000;

/// <summary>
/// The STORM-type variance-reduced outer direction of paper 000 Algorithm 1 line 9 (Cutkosky &amp; Orabona 2019):
/// d_{k+1} = h_{k+1}(ξ_{k+1}) + (1 − η_{k+1}) (d_k − h_k(ξ_{k+1})), where h_{k+1} is the new hypergradient estimate
/// and h_k(ξ_{k+1}) the same estimator at the previous point on the new samples. Paper 000 §6.2 runs every method
/// (FSLA, BP, NS, CG) with this outer update; x_{k+1} = x_k − α_k d_k with α_k = δ/√(k+1) (Theorem 17) and
/// η_{k+1} = c_η α_k (Algorithm 1 line 4). A shared building block: it holds d and the schedules, no oracle calls.
/// </summary>
public sealed class StormMomentum
{
    private readonly double[] _direction;

    /// <param name="dimension">dx.</param>
    /// <param name="outerStep">α_k (paper: δ/√(k+1)).</param>
    /// <param name="momentumScale">c_η, with η_{k+1} = min(1, c_η α_k).</param>
    public StormMomentum(int dimension, StepSize outerStep, double momentumScale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        _direction = new double[dimension];
        OuterStep = outerStep;
        MomentumScale = momentumScale;
    }

    /// <summary>α_k.</summary>
    public StepSize OuterStep { get; }

    /// <summary>c_η.</summary>
    public double MomentumScale { get; }

    /// <summary>The current direction d_k.</summary>
    public double[] Direction => _direction;

    /// <summary>α_k = OuterStep.At(k).</summary>
    public double StepAt(long k) => OuterStep.At(k);

    /// <summary>
    /// η_{k+1} = c_η α_k, capped at 1 (the analysis needs 0 &lt; η &lt; 1; with η = 1 the update is plain SGD on h).
    /// The cap is this implementation's choice: Algorithm 1 does not say what happens when c_η α_k ≥ 1.
    /// </summary>
    public double MomentumAt(long k) => Math.Min(1.0, MomentumScale * OuterStep.At(k));

    /// <summary>d_0 = h_0 (the paper leaves d_0 unspecified; digest §3.3).</summary>
    public void Initialize(ReadOnlySpan<double> estimate) => estimate.CopyTo(_direction);

    /// <summary>d ← h_new + (1 − η)(d − h_old), in place.</summary>
    public void Update(ReadOnlySpan<double> newEstimate, ReadOnlySpan<double> oldPointEstimate, double momentum)
    {
        // d = (1 − η)(d − h_old) + h_new
        TensorPrimitives.Subtract(_direction, oldPointEstimate, _direction);
        TensorPrimitives.MultiplyAdd(_direction, 1.0 - momentum, newEstimate, _direction);
    }

    /// <summary>x ← x − α_k d_k.</summary>
    public void Step(long k, Span<double> x) => TensorPrimitives.MultiplyAdd(_direction, -StepAt(k), x, x);

    /// <summary>Throws one line naming the options unless α is a valid schedule and c_η &gt; 0.</summary>
    public static void Validate(StepSize outerStep, string outerStepName, double momentumScale, string momentumScaleName)
    {
        outerStep.Validate(outerStepName);
        if (!(momentumScale > 0) || double.IsInfinity(momentumScale))
        {
            throw new ArgumentOutOfRangeException(momentumScaleName, $"{momentumScaleName} must be positive and finite, got {momentumScale}");
        }
    }
}
