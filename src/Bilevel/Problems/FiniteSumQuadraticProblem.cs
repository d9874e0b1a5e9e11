using System.Numerics.Tensors;
using Bilevel.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Random;

namespace Bilevel.Problems;

/// <summary>
/// A finite-sum stochastic quadratic bilevel problem with known truth: f = (1/n) Σᵢ fᵢ and g = (1/n) Σᵢ gᵢ, where
/// every sample is a quadratic form fᵢ = f̄ + δfᵢ, gᵢ = ḡ + δgᵢ around a <see cref="QuadraticBilevelProblem"/>
/// (f̄, ḡ) and the perturbations are centred (Σᵢ δfᵢ = Σᵢ δgᵢ = 0). Mini-batch oracles average their samples, so
/// they are unbiased; y*(x), ∇Φ(x) and Φ(x) are the mean problem's, in closed form.
/// </summary>
/// <remarks>
/// Perturbations touch Qxy, Qyy, bx and by of both levels (Gaussian, centred). Each δQyy of the lower level is
/// scaled to spectral norm ≤ <c>noise</c>·μ, so every gᵢ is μ(1 − noise)-strongly convex in y and every stochastic
/// lower step is a contraction for steps below 1/(L(1 + noise)). The full batch evaluates the mean forms directly
/// (equal to the sample average up to rounding, since the perturbations are centred).
/// </remarks>
public sealed class FiniteSumQuadraticProblem : BilevelProblem, IExactBilevelProblem
{
    private readonly QuadraticBilevelProblem _mean;
    private readonly NoiseTable _upperNoise;
    private readonly NoiseTable _lowerNoise;

    private FiniteSumQuadraticProblem(QuadraticBilevelProblem mean, QuadraticForm[] upperNoise, QuadraticForm[] lowerNoise, string name)
        : base(mean.UpperDimension, mean.LowerDimension, upperNoise.Length, lowerNoise.Length)
    {
        _mean = mean;
        _upperNoise = new NoiseTable(upperNoise);
        _lowerNoise = new NoiseTable(lowerNoise);
        Name = name;
    }

    public override string Name { get; }

    /// <summary>The mean problem (f̄, ḡ), whose solution is this problem's.</summary>
    public QuadraticBilevelProblem Mean => _mean;

    /// <summary>
    /// A random instance: the mean problem is <see cref="QuadraticBilevelProblem.CreateRandom"/>(dx, dy, κ, seed),
    /// and <paramref name="samples"/> centred perturbations per level of relative size <paramref name="noise"/>.
    /// </summary>
    /// <param name="upperDimension">dx.</param>
    /// <param name="lowerDimension">dy.</param>
    /// <param name="conditionNumber">κ of the mean lower Hessian.</param>
    /// <param name="samples">n, samples per level (≥ 2).</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="noise">Relative perturbation size in [0, 1).</param>
    public static FiniteSumQuadraticProblem CreateRandom(int upperDimension, int lowerDimension, double conditionNumber, int samples, int seed, double noise = 0.5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        if (!(noise >= 0 && noise < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(noise), noise, "noise must lie in [0, 1)");
        }

        var mean = QuadraticBilevelProblem.CreateRandom(upperDimension, lowerDimension, conditionNumber, seed);
        var rng = new Xoshiro256StarStar(seed + 7919);
        var (mu, _) = mean.LowerCurvature(new double[upperDimension]);
        var upperNoise = Perturbations(rng, mean.Upper, samples, noise, Math.Max(mean.Upper.Qyy.L2Norm(), 1e-12) * noise);
        var lowerNoise = Perturbations(rng, mean.Lower, samples, noise, mu * noise);
        return new FiniteSumQuadraticProblem(mean, upperNoise, lowerNoise,
            $"finite-sum-quadratic(dx={upperDimension},dy={lowerDimension},κ={conditionNumber:G4},n={samples})");
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        _mean.Upper.Value(x, y) + _upperNoise.Value(x, y, batch);

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        _mean.Lower.Value(x, y) + _lowerNoise.Value(x, y, batch);

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        _mean.Upper.Gradients(x, y, gradientX, gradientY);
        _upperNoise.AddGradients(x, y, gradientX, gradientY, batch);
    }

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        _mean.Lower.Gradients(x, y, gradientX, gradientY);
        _lowerNoise.AddGradients(x, y, gradientX, gradientY, batch);
    }

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        if (!hvp.IsEmpty)
        {
            DenseOps.Multiply(_mean.Lower.Qyy, v, hvp);
        }

        if (!crossProduct.IsEmpty)
        {
            DenseOps.Multiply(_mean.Lower.Qxy, v, crossProduct);
        }

        _lowerNoise.AddSecondOrder(v, hvp, crossProduct, batch);
    }

    public void ExactLowerSolution(ReadOnlySpan<double> x, Span<double> lowerSolution) => _mean.ExactLowerSolution(x, lowerSolution);

    public void ExactHypergradient(ReadOnlySpan<double> x, Span<double> hypergradient) => _mean.ExactHypergradient(x, hypergradient);

    public double ExactUpperObjective(ReadOnlySpan<double> x) => _mean.ExactUpperObjective(x);

    /// <summary>The mean lower Hessian's spectrum bounds; single samples' Hessians lie within (1 ± noise) of them.</summary>
    public (double StrongConvexity, double Smoothness) LowerCurvature(ReadOnlySpan<double> x) => _mean.LowerCurvature(x);

    /// <summary>n centred Gaussian perturbations of Qxy, Qyy (spectral norm ≤ qyyBound), bx and by; Qxx unperturbed.</summary>
    private static QuadraticForm[] Perturbations(Random rng, QuadraticForm mean, int samples, double noise, double qyyBound)
    {
        int dx = mean.UpperDimension, dy = mean.LowerDimension;
        var build = Matrix<double>.Build;
        var qxy = new Matrix<double>[samples];
        var qyy = new Matrix<double>[samples];
        var bx = new Vector<double>[samples];
        var by = new Vector<double>[samples];
        var crossScale = noise * Math.Max(mean.Qxy.L2Norm(), 1e-12) / Math.Sqrt(dx + dy);
        for (var i = 0; i < samples; i++)
        {
            qxy[i] = RandomArrays.Gaussian(rng, dx, dy, crossScale);
            var raw = RandomArrays.Gaussian(rng, dy, dy);
            qyy[i] = 0.5 * (raw + raw.Transpose());
            bx[i] = Vector<double>.Build.DenseOfArray(RandomArrays.Gaussian(rng, dx, noise));
            by[i] = Vector<double>.Build.DenseOfArray(RandomArrays.Gaussian(rng, dy, noise));
        }

        Center(qxy);
        Center(qyy);
        Center(bx);
        Center(by);

        // Scale all δQyy by one factor so the largest spectral norm is qyyBound (centring is kept).
        var largest = 0.0;
        foreach (var m in qyy)
        {
            largest = Math.Max(largest, m.L2Norm());
        }

        var factor = largest > 0 ? qyyBound / largest : 0;
        var forms = new QuadraticForm[samples];
        for (var i = 0; i < samples; i++)
        {
            forms[i] = new QuadraticForm(build.Dense(dx, dx), qxy[i], qyy[i] * factor, bx[i], by[i]);
        }

        return forms;
    }

    private static void Center(Matrix<double>[] items)
    {
        var mean = items[0].Clone();
        for (var i = 1; i < items.Length; i++)
        {
            mean += items[i];
        }

        mean /= items.Length;
        for (var i = 0; i < items.Length; i++)
        {
            items[i] -= mean;
        }
    }

    private static void Center(Vector<double>[] items)
    {
        var mean = items[0].Clone();
        for (var i = 1; i < items.Length; i++)
        {
            mean += items[i];
        }

        mean /= items.Length;
        for (var i = 0; i < items.Length; i++)
        {
            items[i] -= mean;
        }
    }

    /// <summary>
    /// The per-sample perturbations (Qxy, Qyy, bx, by) as flat row-major tables. A mini-batch's mean perturbation is
    /// summed into scratch blocks (one vectorised add per sample and block) and applied once, so an oracle costs
    /// O(|B| (dx dy + dy²)) adds plus one small product.
    /// </summary>
    private sealed class NoiseTable
    {
        private readonly int _dx;
        private readonly int _dy;
        private readonly double[] _qxy;
        private readonly double[] _qyy;
        private readonly double[] _bx;
        private readonly double[] _by;
        private readonly double[] _meanQxy;
        private readonly double[] _meanQyy;
        private readonly double[] _meanBx;
        private readonly double[] _meanBy;

        public NoiseTable(QuadraticForm[] forms)
        {
            _dx = forms[0].UpperDimension;
            _dy = forms[0].LowerDimension;
            int n = forms.Length, dx = _dx, dy = _dy;
            _qxy = new double[n * dx * dy];
            _qyy = new double[n * dy * dy];
            _bx = new double[n * dx];
            _by = new double[n * dy];
            for (var s = 0; s < n; s++)
            {
                var f = forms[s];
                for (var i = 0; i < dx; i++)
                {
                    for (var j = 0; j < dy; j++)
                    {
                        _qxy[(s * dx * dy) + (i * dy) + j] = f.Qxy[i, j];
                    }

                    _bx[(s * dx) + i] = f.Bx[i];
                }

                for (var i = 0; i < dy; i++)
                {
                    for (var j = 0; j < dy; j++)
                    {
                        _qyy[(s * dy * dy) + (i * dy) + j] = f.Qyy[i, j];
                    }

                    _by[(s * dy) + i] = f.By[i];
                }
            }

            _meanQxy = new double[dx * dy];
            _meanQyy = new double[dy * dy];
            _meanBx = new double[dx];
            _meanBy = new double[dy];
        }

        /// <summary>Mean perturbation value xᵀδQxy y + ½ yᵀδQyy y + δbx·x + δby·y over the batch (0 for the full batch).</summary>
        public double Value(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
        {
            if (batch.IsFull)
            {
                return 0;
            }

            Accumulate(batch, crossBlock: true, curvatureBlock: true, linear: true);
            var sum = DenseOps.Dot(_meanBx, x) + DenseOps.Dot(_meanBy, y);
            for (var i = 0; i < _dx; i++)
            {
                sum += x[i] * DenseOps.Dot(_meanQxy.AsSpan(i * _dy, _dy), y);
            }

            for (var i = 0; i < _dy; i++)
            {
                sum += 0.5 * y[i] * DenseOps.Dot(_meanQyy.AsSpan(i * _dy, _dy), y);
            }

            return sum;
        }

        /// <summary>Adds the batch's mean perturbation gradients (δQxy y + δbx; δQyy y + δQxyᵀ x + δby).</summary>
        public void AddGradients(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
        {
            if (batch.IsFull)
            {
                return;
            }

            Accumulate(batch, crossBlock: true, curvatureBlock: !gradientY.IsEmpty, linear: true);
            if (!gradientX.IsEmpty)
            {
                DenseOps.MultiplyAddRowMajor(_meanQxy, _dx, _dy, y, gradientX);
                Vectors.Axpy(1, _meanBx, gradientX);
            }

            if (!gradientY.IsEmpty)
            {
                DenseOps.MultiplyAddRowMajor(_meanQyy, _dy, _dy, y, gradientY);
                Vectors.Axpy(1, _meanBy, gradientY);

                // δQxyᵀ x: the row-major δQxy read column by column.
                DenseOps.MultiplyAddColumnMajor(_meanQxy, _dy, _dx, x, gradientY);
            }
        }

        /// <summary>Adds δQyy v to <paramref name="hvp"/> and δQxy v to <paramref name="crossProduct"/> (batch means).</summary>
        public void AddSecondOrder(ReadOnlySpan<double> v, Span<double> hvp, Span<double> crossProduct, Batch batch)
        {
            if (batch.IsFull)
            {
                return;
            }

            Accumulate(batch, crossBlock: !crossProduct.IsEmpty, curvatureBlock: !hvp.IsEmpty, linear: false);
            if (!hvp.IsEmpty)
            {
                DenseOps.MultiplyAddRowMajor(_meanQyy, _dy, _dy, v, hvp);
            }

            if (!crossProduct.IsEmpty)
            {
                DenseOps.MultiplyAddRowMajor(_meanQxy, _dx, _dy, v, crossProduct);
            }
        }

        private void Accumulate(Batch batch, bool crossBlock, bool curvatureBlock, bool linear)
        {
            int xy = _dx * _dy, yy = _dy * _dy;
            Sum(crossBlock, batch.Indices, _qxy, xy, _meanQxy);
            Sum(curvatureBlock, batch.Indices, _qyy, yy, _meanQyy);
            Sum(linear, batch.Indices, _bx, _dx, _meanBx);
            Sum(linear, batch.Indices, _by, _dy, _meanBy);
        }

        private static void Sum(bool wanted, ReadOnlySpan<int> indices, double[] table, int size, double[] mean)
        {
            if (!wanted)
            {
                return;
            }

            Array.Clear(mean);
            foreach (var s in indices)
            {
                TensorPrimitives.Add(mean, table.AsSpan(s * size, size), mean);
            }

            TensorPrimitives.Multiply(mean, 1.0 / indices.Length, mean);
        }
    }
}
