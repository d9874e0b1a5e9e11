namespace Bilevel.Data.Text;

/// <summary>
/// A float64 sparse matrix in compressed sparse row (CSR) form, as scipy's <c>csr_matrix</c>: row i holds the entries
/// <c>ColumnIndices[k]</c>, <c>Values[k]</c> for k in [RowPointers[i], RowPointers[i + 1]); column indices are strictly
/// increasing within a row (sorted, no duplicates). The products with dense vectors and row-major dense matrices
/// (<see cref="Multiply(ReadOnlySpan{double}, Span{double})"/>, <see cref="MultiplyTransposed(ReadOnlySpan{double}, Span{double})"/>
/// and their matrix forms) are what closed-form logistic-regression oracles on 20 Newsgroups need (X·W and Xᵀ·G),
/// in O(nnz) per column without forming a dense X.
/// </summary>
public sealed class SparseMatrix
{
    /// <summary>Wraps CSR arrays (not copied) after checking them.</summary>
    /// <exception cref="ArgumentException">Inconsistent lengths, decreasing row pointers, a column index out of range, or
    /// unsorted/duplicate columns in a row.</exception>
    public SparseMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        if (rowPointers.Length != rows + 1)
        {
            throw new ArgumentException($"rowPointers has length {rowPointers.Length}, expected rows + 1 = {rows + 1}", nameof(rowPointers));
        }

        if (columnIndices.Length != values.Length)
        {
            throw new ArgumentException($"columnIndices has {columnIndices.Length} entries but values has {values.Length}", nameof(columnIndices));
        }

        if (rowPointers[0] != 0 || rowPointers[rows] != values.Length)
        {
            throw new ArgumentException($"rowPointers must start at 0 and end at nnz = {values.Length}, got {rowPointers[0]} … {rowPointers[rows]}", nameof(rowPointers));
        }

        for (var i = 0; i < rows; i++)
        {
            var start = rowPointers[i];
            var end = rowPointers[i + 1];
            if (end < start)
            {
                throw new ArgumentException($"rowPointers decreases at row {i} ({start} → {end})", nameof(rowPointers));
            }

            for (var k = start; k < end; k++)
            {
                var j = columnIndices[k];
                if ((uint)j >= (uint)columns)
                {
                    throw new ArgumentException($"row {i}: column index {j} outside [0, {columns})", nameof(columnIndices));
                }

                if (k > start && j <= columnIndices[k - 1])
                {
                    throw new ArgumentException($"row {i}: column indices not strictly increasing ({columnIndices[k - 1]} then {j})", nameof(columnIndices));
                }
            }
        }

        Rows = rows;
        Columns = columns;
        RowPointers = rowPointers;
        ColumnIndices = columnIndices;
        Values = values;
    }

    public int Rows { get; }

    public int Columns { get; }

    public int NonZeroCount => Values.Length;

    /// <summary>Rows + 1 offsets into <see cref="ColumnIndices"/> and <see cref="Values"/>.</summary>
    public int[] RowPointers { get; }

    public int[] ColumnIndices { get; }

    public double[] Values { get; }

    /// <summary>Entry (i, j) (binary search in row i).</summary>
    public double this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Rows, nameof(row));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)column, (uint)Columns, nameof(column));
            var start = RowPointers[row];
            var k = Array.BinarySearch(ColumnIndices, start, RowPointers[row + 1] - start, column);
            return k >= 0 ? Values[k] : 0.0;
        }
    }

    /// <summary>Number of stored entries in row <paramref name="row"/>.</summary>
    public int RowNonZeroCount(int row) => RowPointers[row + 1] - RowPointers[row];

    /// <summary>y = A·x (x has <see cref="Columns"/> entries, y has <see cref="Rows"/>).</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> result)
    {
        CheckLength(x.Length, Columns, nameof(x));
        CheckLength(result.Length, Rows, nameof(result));
        for (var i = 0; i < Rows; i++)
        {
            var sum = 0.0;
            for (var k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            {
                sum += Values[k] * x[ColumnIndices[k]];
            }

            result[i] = sum;
        }
    }

    /// <summary>y = Aᵀ·x (x has <see cref="Rows"/> entries, y has <see cref="Columns"/>); y is overwritten.</summary>
    public void MultiplyTransposed(ReadOnlySpan<double> x, Span<double> result)
    {
        CheckLength(x.Length, Rows, nameof(x));
        CheckLength(result.Length, Columns, nameof(result));
        result.Clear();
        for (var i = 0; i < Rows; i++)
        {
            var xi = x[i];
            if (xi == 0)
            {
                continue;
            }

            for (var k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            {
                result[ColumnIndices[k]] += Values[k] * xi;
            }
        }
    }

    /// <summary>C = A·B for a dense row-major B of Columns × <paramref name="width"/>; C is Rows × width, row-major.</summary>
    public void Multiply(ReadOnlySpan<double> dense, int width, Span<double> result)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        CheckLength(dense.Length, checked(Columns * width), nameof(dense));
        CheckLength(result.Length, checked(Rows * width), nameof(result));
        result.Clear();
        for (var i = 0; i < Rows; i++)
        {
            var target = result.Slice(i * width, width);
            for (var k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            {
                var v = Values[k];
                var source = dense.Slice(ColumnIndices[k] * width, width);
                for (var c = 0; c < width; c++)
                {
                    target[c] += v * source[c];
                }
            }
        }
    }

    /// <summary>C = Aᵀ·B for a dense row-major B of Rows × <paramref name="width"/>; C is Columns × width, row-major.</summary>
    public void MultiplyTransposed(ReadOnlySpan<double> dense, int width, Span<double> result)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        CheckLength(dense.Length, checked(Rows * width), nameof(dense));
        CheckLength(result.Length, checked(Columns * width), nameof(result));
        result.Clear();
        for (var i = 0; i < Rows; i++)
        {
            var source = dense.Slice(i * width, width);
            for (var k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            {
                var v = Values[k];
                var target = result.Slice(ColumnIndices[k] * width, width);
                for (var c = 0; c < width; c++)
                {
                    target[c] += v * source[c];
                }
            }
        }
    }

    /// <summary>The rows at <paramref name="rows"/> (in that order, repeats allowed) as a new matrix, e.g. a minibatch or
    /// a train/validation split.</summary>
    public SparseMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var pointers = new int[rows.Length + 1];
        for (var r = 0; r < rows.Length; r++)
        {
            var i = rows[r];
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Rows, nameof(rows));
            pointers[r + 1] = checked(pointers[r] + RowNonZeroCount(i));
        }

        var columns = new int[pointers[rows.Length]];
        var values = new double[columns.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            var start = RowPointers[rows[r]];
            var count = pointers[r + 1] - pointers[r];
            Array.Copy(ColumnIndices, start, columns, pointers[r], count);
            Array.Copy(Values, start, values, pointers[r], count);
        }

        return new SparseMatrix(rows.Length, Columns, pointers, columns, values);
    }

    /// <summary>Aᵀ in CSR form (counting sort by column; O(nnz + Columns)).</summary>
    public SparseMatrix Transpose()
    {
        var pointers = new int[Columns + 1];
        foreach (var j in ColumnIndices)
        {
            pointers[j + 1]++;
        }

        for (var j = 0; j < Columns; j++)
        {
            pointers[j + 1] += pointers[j];
        }

        var next = pointers[..Columns];
        var rows = new int[NonZeroCount];
        var values = new double[NonZeroCount];
        for (var i = 0; i < Rows; i++)
        {
            for (var k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            {
                var at = next[ColumnIndices[k]]++;
                rows[at] = i;
                values[at] = Values[k];
            }
        }

        return new SparseMatrix(Columns, Rows, pointers, rows, values);
    }

    /// <summary>The dense row-major Rows × Columns array (for tests and small matrices).</summary>
    public double[] ToDense()
    {
        var dense = new double[checked(Rows * Columns)];
        for (var i = 0; i < Rows; i++)
        {
            for (var k = RowPointers[i]; k < RowPointers[i + 1]; k++)
            {
                dense[(i * Columns) + ColumnIndices[k]] = Values[k];
            }
        }

        return dense;
    }

    /// <summary>CSR of a dense row-major matrix, keeping the non-zero entries.</summary>
    public static SparseMatrix FromDense(ReadOnlySpan<double> dense, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        CheckLength(dense.Length, checked(rows * columns), nameof(dense));
        var pointers = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<double>();
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                var v = dense[(i * columns) + j];
                if (v != 0)
                {
                    indices.Add(j);
                    values.Add(v);
                }
            }

            pointers[i + 1] = values.Count;
        }

        return new SparseMatrix(rows, columns, pointers, [.. indices], [.. values]);
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has length {actual}, expected {expected}", name);
        }
    }
}
