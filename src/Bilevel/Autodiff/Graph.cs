using System.Numerics;
using Bilevel.Tensors;

namespace Bilevel.Autodiff;

/// <summary>
/// A value in a <see cref="Graph{T}"/>: its value, optionally its tangent (directional derivative along the pass's
/// direction), and after <see cref="Graph{T}.Backward"/> its adjoint ∂L/∂value and the adjoint's tangent.
/// </summary>
public sealed class Variable<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Variable(Tensor<T> value, Tensor<T>? tangent, bool requiresGradient)
    {
        Value = value;
        Tangent = tangent;
        RequiresGradient = requiresGradient;
    }

    public Tensor<T> Value { get; }

    /// <summary>The tangent ẋ = d value/dt along the pass's direction; null means zero.</summary>
    public Tensor<T>? Tangent { get; internal set; }

    /// <summary>∂L/∂value after the backward pass (null when no gradient reached it).</summary>
    public Tensor<T>? Gradient { get; internal set; }

    /// <summary>d/dt of ∂L/∂value along the direction: for parameters, the Hessian-vector product H·v.</summary>
    public Tensor<T>? GradientTangent { get; internal set; }

    /// <summary>False for constants (data): nothing is accumulated for them.</summary>
    public bool RequiresGradient { get; }

    public int[] Shape => Value.Shape;

    public override string ToString() => $"Variable {Value}";
}

/// <summary>
/// One forward-and-backward pass of reverse-mode automatic differentiation with forward-over-reverse second order
/// (Pearlmutter's R-operator, 1994): every operation computes its value and tangent on the way forward and, on the
/// way back, its adjoint and the tangent of its adjoint. With a direction v on the parameters, one pass returns ∇L
/// and H·v for every parameter group; for parameters (x, y) and direction (0, v) that is ∇²yy g·v and ∇²xy g·v.
/// </summary>
/// <remarks>
/// Buffers come from an arena that is reused after <see cref="Reset"/>: a pass that records the same operations
/// on the same shapes as the previous one allocates no tensors.
/// </remarks>
public sealed class Graph<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Action> _backward = [];
    private readonly List<T[]> _arena = [];
    private readonly List<Tensor<T>?> _tensors = [];
    private readonly List<int[]> _indexArena = [];
    private int _arenaNext;
    private int _indexNext;

    /// <param name="tangents">True to carry tangents (for Hessian-vector and cross products); false for gradients only.</param>
    public Graph(bool tangents = false) => HasTangents = tangents;

    /// <summary>True when this pass carries tangents.</summary>
    public bool HasTangents { get; set; }

    /// <summary>Operations recorded so far.</summary>
    public int Count => _backward.Count;

    /// <summary>Forgets the recorded operations; buffers are kept for the next pass.</summary>
    public void Reset()
    {
        _backward.Clear();
        _arenaNext = 0;
        _indexNext = 0;
    }

    /// <summary>
    /// A parameter. Its gradient (and gradient tangent) are accumulated into <paramref name="gradient"/> and
    /// <paramref name="gradientTangent"/> when given (the caller zeroes them), so a problem can point them at slices
    /// of its flat gradient vectors.
    /// </summary>
    public Variable<T> Parameter(Tensor<T> value, Tensor<T>? tangent = null, Tensor<T>? gradient = null, Tensor<T>? gradientTangent = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Check(tangent, value, "tangent");
        Check(gradient, value, "gradient");
        Check(gradientTangent, value, "gradientTangent");
        return new Variable<T>(value, HasTangents ? tangent : null, requiresGradient: true)
        {
            Gradient = gradient,
            GradientTangent = HasTangents ? gradientTangent : null,
        };
    }

    /// <summary>A constant (input data, labels): no gradient flows into it.</summary>
    public Variable<T> Constant(Tensor<T> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new Variable<T>(value, null, requiresGradient: false);
    }

    /// <summary>Back-propagates from a scalar: seeds ∂L/∂L = 1 (and its tangent 0) and runs the recorded adjoints in reverse.</summary>
    public void Backward(Variable<T> loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.Value.Size != 1)
        {
            throw new ArgumentException($"Backward needs a scalar loss, got shape [{string.Join(", ", loss.Shape)}]", nameof(loss));
        }

        EnsureGradient(loss);
        loss.Gradient![0] += T.One;
        for (var i = _backward.Count - 1; i >= 0; i--)
        {
            _backward[i]();
        }
    }

    /// <summary>Registers an operation's backward step (run in reverse order by <see cref="Backward"/>).</summary>
    internal void Record(Action backward) => _backward.Add(backward);

    /// <summary>A zeroed tensor from the arena.</summary>
    internal Tensor<T> Allocate(params int[] shape) => Rent(shape, clear: true);

    /// <summary>A zeroed vector from the arena (no shape array is allocated when the slot's tensor can be reused).</summary>
    internal Tensor<T> Allocate(int d0) => Rent([d0], clear: true);

    /// <summary>A zeroed d0 × d1 tensor from the arena.</summary>
    internal Tensor<T> Allocate(int d0, int d1) => Rent([d0, d1], clear: true);

    /// <summary>A zeroed d0 × d1 × d2 tensor from the arena.</summary>
    internal Tensor<T> Allocate(int d0, int d1, int d2) => Rent([d0, d1, d2], clear: true);

    /// <summary>A zeroed d0 × d1 × d2 × d3 tensor from the arena.</summary>
    internal Tensor<T> Allocate(int d0, int d1, int d2, int d3) => Rent([d0, d1, d2, d3], clear: true);

    /// <summary>A tensor from the arena whose contents are undefined: for outputs an operation overwrites completely.</summary>
    internal Tensor<T> AllocateUninitialized(params int[] shape) => Rent(shape, clear: false);

    /// <summary>An uninitialized vector from the arena.</summary>
    internal Tensor<T> AllocateUninitialized(int d0) => Rent([d0], clear: false);

    /// <summary>An uninitialized d0 × d1 tensor from the arena.</summary>
    internal Tensor<T> AllocateUninitialized(int d0, int d1) => Rent([d0, d1], clear: false);

    /// <summary>An uninitialized d0 × d1 × d2 tensor from the arena.</summary>
    internal Tensor<T> AllocateUninitialized(int d0, int d1, int d2) => Rent([d0, d1, d2], clear: false);

    /// <summary>An uninitialized d0 × d1 × d2 × d3 tensor from the arena.</summary>
    internal Tensor<T> AllocateUninitialized(int d0, int d1, int d2, int d3) => Rent([d0, d1, d2, d3], clear: false);

    /// <summary>An int buffer from the arena (argmax indices and the like), contents undefined.</summary>
    internal int[] AllocateIndices(int length)
    {
        if (_indexNext < _indexArena.Count && _indexArena[_indexNext].Length == length)
        {
            return _indexArena[_indexNext++];
        }

        var buffer = new int[length];
        if (_indexNext < _indexArena.Count)
        {
            _indexArena[_indexNext] = buffer;
        }
        else
        {
            _indexArena.Add(buffer);
        }

        _indexNext++;
        return buffer;
    }

    /// <summary>
    /// The arena's next slot: its buffer when it holds at least the size (the tensor views its first elements; cleared
    /// on request), and its tensor object too when the shape matches as well, so a pass that repeats the previous
    /// one's operations allocates nothing, and passes whose shapes vary (sentences of different lengths) allocate only
    /// until each slot has held its largest size.
    /// </summary>
    private Tensor<T> Rent(ReadOnlySpan<int> shape, bool clear)
    {
        var size = TensorShape.Size(shape);
        var slot = _arenaNext++;
        T[] buffer;
        if (slot < _arena.Count && _arena[slot].Length >= size)
        {
            buffer = _arena[slot];
            if (clear)
            {
                Array.Clear(buffer, 0, size);
            }
        }
        else
        {
            buffer = new T[size];
            if (slot < _arena.Count)
            {
                _arena[slot] = buffer;
                _tensors[slot] = null;
            }
            else
            {
                _arena.Add(buffer);
                _tensors.Add(null);
            }
        }

        var tensor = _tensors[slot];
        if (tensor is null || !shape.SequenceEqual(tensor.Shape))
        {
            tensor = new Tensor<T>(buffer, 0, shape.ToArray());
            _tensors[slot] = tensor;
        }

        return tensor;
    }

    /// <summary>A new result variable; it requires a gradient when any input does.</summary>
    internal Variable<T> Result(Tensor<T> value, Tensor<T>? tangent, bool requiresGradient) =>
        new(value, HasTangents ? tangent : null, requiresGradient);

    /// <summary>Makes sure the variable has (zeroed) gradient buffers.</summary>
    internal void EnsureGradient(Variable<T> variable)
    {
        if (variable.Gradient is null)
        {
            variable.Gradient = Allocate(variable.Shape);
        }

        if (HasTangents && variable.GradientTangent is null)
        {
            variable.GradientTangent = Allocate(variable.Shape);
        }
    }

    /// <summary>
    /// For an adjoint that can write its contribution instead of adding it: a gradient buffer that nothing has
    /// touched yet (no other consumer of the variable has run its adjoint, so overwriting is the same as adding to
    /// zero) comes uninitialized and the method returns true; an existing buffer (another consumer's contribution,
    /// or a parameter's caller-owned slice) returns false and must be added to. The same for the gradient tangent,
    /// reported in <paramref name="overwriteTangent"/>.
    /// </summary>
    internal bool EnsureGradientForOverwrite(Variable<T> variable, out bool overwriteTangent)
    {
        var overwrite = false;
        if (variable.Gradient is null)
        {
            variable.Gradient = AllocateUninitialized(variable.Shape);
            overwrite = true;
        }

        overwriteTangent = false;
        if (HasTangents && variable.GradientTangent is null)
        {
            variable.GradientTangent = AllocateUninitialized(variable.Shape);
            overwriteTangent = true;
        }

        return overwrite;
    }

    private static void Check(Tensor<T>? tensor, Tensor<T> value, string name)
    {
        if (tensor is not null && !tensor.SameShape(value))
        {
            throw new ArgumentException($"{name} has shape [{string.Join(", ", tensor.Shape)}], expected [{string.Join(", ", value.Shape)}]", name);
        }
    }
}
