using System.Numerics.Tensors;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper001;

/// <summary>
/// The stored Jacobian estimate J ∈ R^{dx×dy} of paper 001 (ES-ITDM eq. 5, HF-SES-ITDM eq. 11 in the recursive
/// form its Lemma 9 analyses): J^{l+1} = J^l (I − γ ∇²yy g) − γ ∇²xy g, with ∇²xy g the dx×dy matrix whose
/// product with v ∈ R^dy is the cross product. J is the transpose of ∂y*/∂x (digest §1.3 and §2.6: the paper's
/// recursion only type-checks for J ∈ R^{n×m}), so the hypergradient is ∇x f + J ∇y f. J^0 = 0, which makes eq. (5)
/// equal to the unrolled eq. (6). A shared building block of ES-ITDM, SES-ITDM and HF-SES-ITDM.
/// </summary>
public sealed class LowerJacobian
{
    private readonly int _dx;
    private readonly int _dy;
    private double[] _j;
    private double[] _next;
    private readonly double[] _unit;
    private readonly double[] _hessianColumn;
    private readonly double[] _crossColumn;
    private readonly double[] _jv;

    /// <param name="upperDimension">dx (rows).</param>
    /// <param name="lowerDimension">dy (columns).</param>
    public LowerJacobian(int upperDimension, int lowerDimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(upperDimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lowerDimension);
        _dx = upperDimension;
        _dy = lowerDimension;
        _j = new double[upperDimension * lowerDimension];
        _next = new double[upperDimension * lowerDimension];
        _unit = new double[lowerDimension];
        _hessianColumn = new double[lowerDimension];
        _crossColumn = new double[upperDimension];
        _jv = new double[upperDimension];
    }

    /// <summary>J, row-major dx × dy: entry (i, q) at i·dy + q.</summary>
    public ReadOnlySpan<double> Values => _j;

    /// <summary>result += J w (w ∈ R^dy, result ∈ R^dx).</summary>
    public void MultiplyAdd(ReadOnlySpan<double> w, Span<double> result)
    {
        for (var i = 0; i < _dx; i++)
        {
            result[i] += TensorPrimitives.Dot(_j.AsSpan(i * _dy, _dy), w);
        }
    }

    /// <summary>
    /// Exact-oracle step (ES-ITDM eq. 5, SES-ITDM with eq. 8's exact stochastic derivatives):
    /// J ← J (I − γ ∇²yy g(x, y)) − γ ∇²xy g(x, y), from the columns ∇²yy g e_q and ∇²xy g e_q of one fused oracle
    /// call per unit vector e_q. Cost: dy HVP + dy cross (dy fused calls).
    /// </summary>
    public void ExactStep(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double gamma, Batch batch)
    {
        ArgumentNullException.ThrowIfNull(problem);
        _j.AsSpan().CopyTo(_next);
        for (var q = 0; q < _dy; q++)
        {
            _unit[q] = 1;
            problem.LowerHvpAndCrossProduct(x, y, _unit, _hessianColumn, _crossColumn, batch);
            _unit[q] = 0;

            // Column q of J H is J (H e_q); column q of ∇²xy g is the cross product with e_q.
            for (var i = 0; i < _dx; i++)
            {
                var jh = TensorPrimitives.Dot(_j.AsSpan(i * _dy, _dy), _hessianColumn);
                _next[(i * _dy) + q] -= gamma * (jh + _crossColumn[i]);
            }
        }

        (_j, _next) = (_next, _j);
    }

    /// <summary>Starts a Gaussian-smoothing step (HF-SES-ITDM eq. 9–11): the new J starts as a copy of J.</summary>
    public void BeginSmoothedStep() => _j.AsSpan().CopyTo(_next);

    /// <summary>
    /// Adds one direction's terms of J ← J − (γ/Q) Σ_j [(J v_j) b_jᵀ + u_j a_jᵀ], with J the Jacobian before this
    /// step; a_j ≈ ∇²yx g u_j ∈ R^dy (x-perturbed difference of ∇y g), b_j ≈ ∇²yy g v_j ∈ R^dy (y-perturbed).
    /// <paramref name="weight"/> is γ/Q.
    /// </summary>
    public void AddSmoothedDirection(ReadOnlySpan<double> u, ReadOnlySpan<double> a, ReadOnlySpan<double> v, ReadOnlySpan<double> b, double weight)
    {
        for (var i = 0; i < _dx; i++)
        {
            _jv[i] = TensorPrimitives.Dot(_j.AsSpan(i * _dy, _dy), v);
        }

        for (var i = 0; i < _dx; i++)
        {
            var row = _next.AsSpan(i * _dy, _dy);
            TensorPrimitives.MultiplyAdd(b, -weight * _jv[i], row, row);
            TensorPrimitives.MultiplyAdd(a, -weight * u[i], row, row);
        }
    }

    /// <summary>Ends a Gaussian-smoothing step: the accumulated matrix becomes J.</summary>
    public void EndSmoothedStep() => (_j, _next) = (_next, _j);
}

/// <summary>Standard normal draws from a seeded <see cref="Random"/> (Box–Muller, both values used).</summary>
public static class GaussianDirections
{
    /// <summary>Fills <paramref name="values"/> with independent N(0, 1) draws.</summary>
    public static void Fill(Random random, Span<double> values)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (var i = 0; i < values.Length; i += 2)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var r = Math.Sqrt(-2 * Math.Log(u1));
            values[i] = r * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < values.Length)
            {
                values[i + 1] = r * Math.Sin(2 * Math.PI * u2);
            }
        }
    }
}
