namespace Bilevel.LinearSolvers;

/// <summary>A symmetric linear operator applied matrix-free, such as v ↦ ∇²yy g · v.</summary>
public interface ILinearOperator
{
    /// <summary>The size n of the square operator.</summary>
    int Dimension { get; }

    /// <summary>result = A v.</summary>
    void Apply(ReadOnlySpan<double> v, Span<double> result);
}
