using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class SparseMatrixTests
{
    [Fact]
    public void Multiply_RandomSparse_MatchesDenseReference()
    {
        var (dense, rows, columns) = RandomDense(seed: 3, rows: 13, columns: 17, density: 0.25);
        var a = SparseMatrix.FromDense(dense, rows, columns);
        var random = new Random(11);
        var x = Enumerable.Range(0, columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        var z = Enumerable.Range(0, rows).Select(_ => random.NextDouble() - 0.5).ToArray();
        var y = new double[rows];
        var w = Enumerable.Repeat(99.0, columns).ToArray(); // overwritten
        a.Multiply(x, y);
        a.MultiplyTransposed(z, w);
        for (var i = 0; i < rows; i++)
        {
            var expected = 0.0;
            for (var j = 0; j < columns; j++)
            {
                expected += dense[(i * columns) + j] * x[j];
            }

            Assert.Equal(expected, y[i], 13);
        }

        for (var j = 0; j < columns; j++)
        {
            var expected = 0.0;
            for (var i = 0; i < rows; i++)
            {
                expected += dense[(i * columns) + j] * z[i];
            }

            Assert.Equal(expected, w[j], 13);
        }
    }

    [Fact]
    public void MultiplyMatrix_RandomSparse_MatchesDenseReference()
    {
        var (dense, rows, columns) = RandomDense(seed: 5, rows: 9, columns: 12, density: 0.3);
        var a = SparseMatrix.FromDense(dense, rows, columns);
        const int width = 4;
        var random = new Random(2);
        var b = Enumerable.Range(0, columns * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        var g = Enumerable.Range(0, rows * width).Select(_ => random.NextDouble() - 0.5).ToArray();
        var ab = new double[rows * width];
        var atg = new double[columns * width];
        a.Multiply(b, width, ab);
        a.MultiplyTransposed(g, width, atg);
        for (var i = 0; i < rows; i++)
        {
            for (var c = 0; c < width; c++)
            {
                var expected = 0.0;
                for (var j = 0; j < columns; j++)
                {
                    expected += dense[(i * columns) + j] * b[(j * width) + c];
                }

                Assert.Equal(expected, ab[(i * width) + c], 13);
            }
        }

        for (var j = 0; j < columns; j++)
        {
            for (var c = 0; c < width; c++)
            {
                var expected = 0.0;
                for (var i = 0; i < rows; i++)
                {
                    expected += dense[(i * columns) + j] * g[(i * width) + c];
                }

                Assert.Equal(expected, atg[(j * width) + c], 13);
            }
        }
    }

    [Fact]
    public void TransposeSelectRowsToDense_RoundTrip()
    {
        var (dense, rows, columns) = RandomDense(seed: 8, rows: 6, columns: 5, density: 0.4);
        var a = SparseMatrix.FromDense(dense, rows, columns);
        Assert.Equal(dense, a.ToDense());
        var t = a.Transpose();
        Assert.Equal((columns, rows, a.NonZeroCount), (t.Rows, t.Columns, t.NonZeroCount));
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                Assert.Equal(dense[(i * columns) + j], t[j, i]);
                Assert.Equal(dense[(i * columns) + j], a[i, j]);
            }
        }

        var picked = a.SelectRows([4, 0, 4]);
        var pickedDense = picked.ToDense();
        Assert.Equal(dense.AsSpan(4 * columns, columns).ToArray(), pickedDense[..columns]);
        Assert.Equal(dense.AsSpan(0, columns).ToArray(), pickedDense[columns..(2 * columns)]);
        Assert.Equal(dense.AsSpan(4 * columns, columns).ToArray(), pickedDense[(2 * columns)..]);
    }

    [Fact]
    public void Multiply_NewsgroupsMatrix_TransposeIdentityHolds()
    {
        // ⟨X v, u⟩ = ⟨v, Xᵀ u⟩ on the real 11,314 × 130,103 matrix.
        var x = TextTestData.NewsgroupsGrazzi.Train;
        var random = new Random(4);
        var v = Enumerable.Range(0, x.Columns).Select(_ => random.NextDouble() - 0.5).ToArray();
        var u = Enumerable.Range(0, x.Rows).Select(_ => random.NextDouble() - 0.5).ToArray();
        var xv = new double[x.Rows];
        var xtu = new double[x.Columns];
        x.Multiply(v, xv);
        x.MultiplyTransposed(u, xtu);
        var left = xv.Zip(u, (p, q) => p * q).Sum();
        var right = v.Zip(xtu, (p, q) => p * q).Sum();
        Assert.Equal(left, right, 9);
        Assert.NotEqual(0.0, left);
    }

    [Theory]
    [InlineData(new[] { 0, 2 }, new[] { 0, 1 }, new[] { 1.0, 2.0 }, "rowPointers has length 2, expected rows + 1 = 3 (Parameter 'rowPointers')")]
    [InlineData(new[] { 0, 2, 1 }, new[] { 0, 1 }, new[] { 1.0, 2.0 }, "rowPointers must start at 0 and end at nnz = 2, got 0 … 1 (Parameter 'rowPointers')")]
    [InlineData(new[] { 0, 2, 2 }, new[] { 1, 0 }, new[] { 1.0, 2.0 }, "row 0: column indices not strictly increasing (1 then 0) (Parameter 'columnIndices')")]
    [InlineData(new[] { 0, 1, 2 }, new[] { 0, 3 }, new[] { 1.0, 2.0 }, "row 1: column index 3 outside [0, 3) (Parameter 'columnIndices')")]
    [InlineData(new[] { 0, 1, 2 }, new[] { 0, 1 }, new[] { 1.0 }, "columnIndices has 2 entries but values has 1 (Parameter 'columnIndices')")]
    public void Constructor_InconsistentArrays_Throws(int[] pointers, int[] columns, double[] values, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SparseMatrix(2, 3, pointers, columns, values));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Multiply_WrongLengths_Throws()
    {
        var a = SparseMatrix.FromDense([1, 0, 2, 0, 3, 0], 2, 3);
        var ex = Assert.Throws<ArgumentException>(() => a.Multiply(new double[2], new double[2]));
        Assert.Equal("x has length 2, expected 3 (Parameter 'x')", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => a.MultiplyTransposed(new double[2], new double[2]));
        Assert.Equal("result has length 2, expected 3 (Parameter 'result')", ex.Message);
    }

    private static (double[] Dense, int Rows, int Columns) RandomDense(int seed, int rows, int columns, double density)
    {
        var random = new Random(seed);
        var dense = new double[rows * columns];
        for (var k = 0; k < dense.Length; k++)
        {
            if (random.NextDouble() < density)
            {
                dense[k] = random.NextDouble() - 0.5;
            }
        }

        return (dense, rows, columns);
    }
}
