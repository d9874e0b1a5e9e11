using Bilevel.Autodiff;
using Bilevel.Tensors;

namespace Bilevel.Tests.Autodiff;

public sealed class ParameterLayoutTests
{
    // A = [[1, 2, 3], [4, 5, 6]] (2 × 3) at offset 0, B = [[1, 0], [2, 1], [0, 3]] (3 × 2) at offset 6, then an
    // unused "c" (2) at offset 12: flat length 14.
    private static readonly double[] AValues = [1, 2, 3, 4, 5, 6];
    private static readonly double[] BValues = [1, 0, 2, 1, 0, 3];

    // The read-out L = Σ C ⊙ (A B) with C = [[1, −1], [2, 0.5]].
    private static readonly double[] CValues = [1, -1, 2, 0.5];

    [Fact]
    public void Add_SeveralEntries_OffsetsAreRunningSumsOfSizes()
    {
        var layout = new ParameterLayout();
        var a = layout.Add("a", 2, 3);
        var b = layout.Add("b", 4);
        var c = layout.Add("c", 3, 1, 2);

        Assert.Equal((0, 6), (a.Offset, a.Size));
        Assert.Equal((6, 4), (b.Offset, b.Size));
        Assert.Equal((10, 6), (c.Offset, c.Size));
        Assert.Equal(16, layout.Size);
        Assert.Equal(["a", "b", "c"], layout.Entries.Select(e => e.Name));
        Assert.Equal([3, 1, 2], layout["c"].Shape);
        Assert.Same(b, layout["b"]);
    }

    [Fact]
    public void Add_CallerMutatesShapeArray_EntryKeepsItsCopy()
    {
        var layout = new ParameterLayout();
        var shape = new[] { 2, 5 };
        layout.Add("w", shape);
        shape[1] = 7;

        Assert.Equal([2, 5], layout["w"].Shape);
        Assert.Equal(10, layout.Size);
    }

    [Fact]
    public void Indexer_UnknownName_ThrowsKeyNotFoundNamingIt()
    {
        var layout = new ParameterLayout();
        layout.Add("weight", 3);

        var e = Assert.Throws<KeyNotFoundException>(() => layout["bias"]);
        Assert.Contains("'bias'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_DuplicateName_ThrowsArgumentExceptionNamingParameter()
    {
        var layout = new ParameterLayout();
        layout.Add("block1.conv.weight", 4, 1, 3, 3);
        layout.Add("block1.conv.bias", 4);

        var e = Assert.Throws<ArgumentException>(() => layout.Add("block1.conv.weight", 4));
        Assert.Contains("'block1.conv.weight'", e.Message, StringComparison.Ordinal);
        Assert.Equal("name", e.ParamName);

        // The failed Add left the layout unchanged.
        Assert.Equal(2, layout.Entries.Count);
        Assert.Equal(40, layout.Size);
    }

    [Theory]
    [InlineData("values")]
    [InlineData("tangents")]
    [InlineData("gradients")]
    [InlineData("gradientTangents")]
    public void Bind_WrongLengthVector_ThrowsArgumentExceptionNamingIt(string which)
    {
        var layout = new ParameterLayout();
        layout.Add("a", 2, 3);
        layout.Add("b", 4);
        var graph = new Graph<double>(tangents: true);
        double[] Vector(string name) => new double[name == which ? 9 : 10];

        var e = Assert.Throws<ArgumentException>(() =>
            layout.Bind(graph, Vector("values"), Vector("tangents"), Vector("gradients"), Vector("gradientTangents")));
        Assert.Equal(which, e.ParamName);
        Assert.StartsWith($"{which} has length 9, expected 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_CorrectLengths_Succeeds()
    {
        var layout = new ParameterLayout();
        layout.Add("a", 2, 3);
        layout.Add("b", 4);
        var graph = new Graph<double>(tangents: true);

        var variables = layout.Bind(graph, new double[10], new double[10], new double[10], new double[10]);

        Assert.Equal(2, variables.Length);
        Assert.All(variables, v => Assert.True(v.RequiresGradient));
    }

    [Fact]
    public void Bind_WriteThroughFlatValues_ChangesBoundTensor()
    {
        var (layout, values) = MatMulLayout();
        var graph = new Graph<double>();
        var bound = layout.Bind(graph, values);

        Assert.Same(values, bound[1].Value.Buffer);
        Assert.Equal(6, bound[1].Value.Offset);
        Assert.Equal([3, 2], bound[1].Shape);
        Assert.Equal(2.0, bound[1].Value[2]);

        values[8] = -17.25;
        Assert.Equal(-17.25, bound[1].Value[2]);

        // And the other way round: writing the tensor writes the flat vector.
        bound[0].Value[5] = 42;
        Assert.Equal(42.0, values[5]);
    }

    [Fact]
    public void Bind_FlatValueChangedAfterBind_ForwardPassSeesNewValue()
    {
        var (layout, values) = MatMulLayout();
        var graph = new Graph<double>();
        var bound = layout.Bind(graph, values);

        // B[0, 0] = 1 → 10 changes (A B)[:, 0] by A[:, 0] · 9 = [9, 36]: AB becomes [[14, 11], [50, 23]].
        values[6] = 10;
        var product = graph.MatMul(bound[0], bound[1]);

        Assert.Equal([14.0, 11, 50, 23], product.Value.Span.ToArray());
    }

    [Fact]
    public void Bind_BackwardThroughMatMul_GradientsLandInFlatVectorAtOffsets()
    {
        var (layout, values) = MatMulLayout();
        var gradients = new double[layout.Size];
        var graph = new Graph<double>();
        var bound = layout.Bind(graph, values, gradients: gradients);

        var loss = graph.WeightedSum(graph.MatMul(bound[0], bound[1]), new Tensor<double>(CValues, 0, 2, 2));
        graph.Backward(loss);

        // AB = [[5, 11], [14, 23]], L = 5 − 11 + 28 + 11.5 = 33.5.
        Assert.Equal(33.5, loss.Value[0]);

        // ∂L/∂A = C Bᵀ = [[1, 1, −3], [2, 4.5, 1.5]] at offsets 0..5; ∂L/∂B = Aᵀ C = [[9, 1], [12, 0.5], [15, 0]] at
        // offsets 6..11; "c" is not used by the loss, so its slice stays zero.
        Assert.Equal([1.0, 1, -3, 2, 4.5, 1.5, 9, 1, 12, 0.5, 15, 0, 0, 0], gradients);
        Assert.Same(gradients, bound[0].Gradient!.Buffer);
        Assert.Same(gradients, bound[1].Gradient!.Buffer);
        Assert.Equal(6, bound[1].Gradient!.Offset);
    }

    [Fact]
    public void Bind_BackwardWithoutZeroing_AccumulatesIntoFlatGradient()
    {
        var (layout, values) = MatMulLayout();
        var gradients = Enumerable.Repeat(100.0, layout.Size).ToArray();
        var graph = new Graph<double>();
        var bound = layout.Bind(graph, values, gradients: gradients);

        graph.Backward(graph.WeightedSum(graph.MatMul(bound[0], bound[1]), new Tensor<double>(CValues, 0, 2, 2)));

        // The documented contract: the graph adds to the given vectors (the caller zeroes them).
        Assert.Equal([101.0, 101, 97, 102, 104.5, 101.5, 109, 101, 112, 100.5, 115, 100, 100, 100], gradients);
    }

    [Fact]
    public void Bind_SecondOrderPassThroughMatMul_GradientTangentsLandInFlatVectorAtOffsets()
    {
        var (layout, values) = MatMulLayout();

        // Ȧ = [[1, 0, 0], [0, 0, 1]], Ḃ = [[0, 1], [1, 0], [0, 0]], ċ = [5, 5] (unused by L).
        double[] tangents = [1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 5, 5];
        var gradients = new double[layout.Size];
        var gradientTangents = new double[layout.Size];
        var graph = new Graph<double>(tangents: true);
        var bound = layout.Bind(graph, values, tangents, gradients, gradientTangents);

        var loss = graph.WeightedSum(graph.MatMul(bound[0], bound[1]), new Tensor<double>(CValues, 0, 2, 2));
        graph.Backward(loss);

        // L̇ = Σ C ⊙ (Ȧ B + A Ḃ) = Σ C ⊙ ([[1, 0], [0, 3]] + [[2, 1], [5, 4]]) = 3 − 1 + 10 + 3.5 = 15.5.
        Assert.Equal(15.5, loss.Tangent![0]);

        // L is bilinear in (A, B): d/dt ∂L/∂A = C Ḃᵀ = [[−1, 1, 0], [0.5, 2, 0]], d/dt ∂L/∂B = Ȧᵀ C = [[1, −1], [0, 0], [2, 0.5]].
        Assert.Equal([-1.0, 1, 0, 0.5, 2, 0, 1, -1, 0, 0, 2, 0.5, 0, 0], gradientTangents);
        Assert.Equal([1.0, 1, -3, 2, 4.5, 1.5, 9, 1, 12, 0.5, 15, 0, 0, 0], gradients);
    }

    [Fact]
    public void Bind_GraphWithoutTangents_IgnoresTangentVectors()
    {
        var (layout, values) = MatMulLayout();
        var tangents = Enumerable.Repeat(1.0, layout.Size).ToArray();
        var gradientTangents = new double[layout.Size];
        var graph = new Graph<double>(tangents: false);
        var bound = layout.Bind(graph, values, tangents, new double[layout.Size], gradientTangents);

        graph.Backward(graph.WeightedSum(graph.MatMul(bound[0], bound[1]), new Tensor<double>(CValues, 0, 2, 2)));

        Assert.All(bound, v => Assert.Null(v.Tangent));
        Assert.All(gradientTangents, g => Assert.Equal(0.0, g));
    }

    private static (ParameterLayout Layout, double[] Values) MatMulLayout()
    {
        var layout = new ParameterLayout();
        layout.Add("A", 2, 3);
        layout.Add("B", 3, 2);
        layout.Add("c", 2);
        Assert.Equal(14, layout.Size);
        return (layout, [.. AValues, .. BValues, 7, 8]);
    }
}
