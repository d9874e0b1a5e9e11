using System.Numerics;
using Bilevel.Tensors;

namespace Bilevel.Autodiff;

/// <summary>One named parameter inside a flat vector.</summary>
/// <param name="Name">Name, e.g. <c>conv1.weight</c>.</param>
/// <param name="Offset">Where it starts in the flat vector.</param>
/// <param name="Shape">Its shape.</param>
public sealed record ParameterEntry(string Name, int Offset, int[] Shape)
{
    public int Size => TensorShape.Size(Shape);
}

/// <summary>
/// Named parameters laid out back to back in one flat vector, so a network's weights are the flat x or y a bilevel
/// solver works on: <see cref="Bind{T}"/> makes graph parameters that are views of the flat value, tangent,
/// gradient and gradient-tangent vectors (nothing is copied).
/// </summary>
public sealed class ParameterLayout
{
    private readonly List<ParameterEntry> _entries = [];

    public IReadOnlyList<ParameterEntry> Entries => _entries;

    /// <summary>Total length of the flat vector.</summary>
    public int Size { get; private set; }

    /// <summary>Appends a parameter and returns its entry.</summary>
    public ParameterEntry Add(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var existing in _entries)
        {
            if (existing.Name == name)
            {
                throw new ArgumentException($"parameter '{name}' is already defined", nameof(name));
            }
        }

        var entry = new ParameterEntry(name, Size, (int[])shape.Clone());
        _entries.Add(entry);
        Size += entry.Size;
        return entry;
    }

    /// <summary>The entry with this name.</summary>
    public ParameterEntry this[string name]
    {
        get
        {
            foreach (var entry in _entries)
            {
                if (entry.Name == name)
                {
                    return entry;
                }
            }

            throw new KeyNotFoundException($"no parameter named '{name}'");
        }
    }

    /// <summary>
    /// Graph parameters viewing the flat vectors (a null tangent means direction 0 on this group; null gradients mean
    /// the graph allocates them). The caller zeroes the gradient vectors before the pass.
    /// </summary>
    public Variable<T>[] Bind<T>(Graph<T> graph, T[] values, T[]? tangents = null, T[]? gradients = null, T[]? gradientTangents = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(values);
        Check(values, "values");
        Check(tangents, "tangents");
        Check(gradients, "gradients");
        Check(gradientTangents, "gradientTangents");
        var variables = new Variable<T>[_entries.Count];
        for (var i = 0; i < _entries.Count; i++)
        {
            var e = _entries[i];
            variables[i] = graph.Parameter(
                new Tensor<T>(values, e.Offset, e.Shape),
                tangents is null ? null : new Tensor<T>(tangents, e.Offset, e.Shape),
                gradients is null ? null : new Tensor<T>(gradients, e.Offset, e.Shape),
                gradientTangents is null ? null : new Tensor<T>(gradientTangents, e.Offset, e.Shape));
        }

        return variables;
    }

    private void Check<T>(T[]? vector, string name)
    {
        if (vector is not null && vector.Length != Size)
        {
            throw new ArgumentException($"{name} has length {vector.Length}, expected {Size} (the layout's size)", name);
        }
    }
}
