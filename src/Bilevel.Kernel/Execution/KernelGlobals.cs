using Bilevel.Interactive;

namespace Bilevel.Kernel.Execution;

/// <summary>
/// Members every cell sees without qualification (Roslyn scripting's globals object): <c>display(value)</c>, as in
/// IPython and .NET Interactive, and the interrupt token.
/// </summary>
public sealed class KernelGlobals
{
    /// <summary>Publishes a value as <c>display_data</c>; the handle's <c>Update</c> replaces it in place.</summary>
#pragma warning disable CA1822, IDE1006 // Instance members of the globals object; lowercase to match notebooks' `display`.
    public DisplayHandle display(object? value) => Notebook.Display(value);

    /// <summary>Cancelled when the cell is interrupted.</summary>
    public CancellationToken CancellationToken => Notebook.CancellationToken;
#pragma warning restore CA1822, IDE1006
}
