using System.Numerics;

namespace Bilevel.Tensors;

/// <summary>
/// A dense, contiguous, row-major tensor of float32 or float64: a shape over a segment of an array. Several tensors
/// can view one array (a module's parameters are views into one flat vector), so reading and writing parameters as
/// a flat vector copies nothing.
/// </summary>
public sealed class Tensor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A new zero tensor that owns its array.</summary>
    public Tensor(params int[] shape)
        : this(new T[TensorShape.Size(shape)], 0, shape)
    {
    }

    /// <summary>A view of <paramref name="buffer"/> from <paramref name="offset"/> with the given shape.</summary>
    public Tensor(T[] buffer, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(shape);
        Size = TensorShape.Size(shape);
        if (offset < 0 || offset + Size > buffer.Length)
        {
            throw new ArgumentException($"a view of shape [{string.Join(", ", shape)}] at offset {offset} does not fit a buffer of {buffer.Length}");
        }

        Buffer = buffer;
        Offset = offset;
        Shape = (int[])shape.Clone();
    }

    /// <summary>The array behind the tensor.</summary>
    public T[] Buffer { get; }

    /// <summary>Where the tensor starts in <see cref="Buffer"/>.</summary>
    public int Offset { get; }

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Number of elements.</summary>
    public int Size { get; }

    public int Rank => Shape.Length;

    /// <summary>The elements, row-major.</summary>
    public Span<T> Span => Buffer.AsSpan(Offset, Size);

    public T this[int index]
    {
        get => Buffer[Offset + index];
        set => Buffer[Offset + index] = value;
    }

    /// <summary>The same elements under another shape of equal size (no copy).</summary>
    public Tensor<T> Reshape(params int[] shape)
    {
        if (TensorShape.Size(shape) != Size)
        {
            throw new ArgumentException($"cannot reshape [{string.Join(", ", Shape)}] ({Size} elements) to [{string.Join(", ", shape)}]");
        }

        return new Tensor<T>(Buffer, Offset, shape);
    }

    /// <summary>True when the shapes are equal.</summary>
    public bool SameShape(Tensor<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Shape.AsSpan().SequenceEqual(other.Shape);
    }

    public override string ToString() => $"Tensor<{typeof(T).Name}>[{string.Join(", ", Shape)}]";
}

/// <summary>Shape arithmetic.</summary>
public static class TensorShape
{
    /// <summary>The number of elements of a shape (checked against overflow and negative dimensions).</summary>
    public static int Size(ReadOnlySpan<int> shape)
    {
        var size = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"negative dimension {d}");
            }

            size = checked(size * d);
        }

        return size;
    }
}
