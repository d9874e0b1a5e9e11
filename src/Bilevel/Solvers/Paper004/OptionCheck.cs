namespace Bilevel.Solvers.Paper004;

/// <summary>One-line option errors that name the option (for the solvers of paper 004).</summary>
internal static class OptionCheck
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless <paramref name="valid"/>.</summary>
    public static void Require(bool valid, string name, string message)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} {message}");
        }
    }
}
