namespace Bilevel.Solvers;

/// <summary>
/// Every solver of the workbook, by name: the methods the five papers propose and the baselines their experiments
/// run. Each paper's solvers are registered in its own part of this class (<c>SolverCatalog.Paper00N.cs</c>).
/// </summary>
public static partial class SolverCatalog
{
    private static readonly Lazy<IReadOnlyList<SolverDescriptor>> Descriptors = new(Build);

    /// <summary>All solvers, in paper order.</summary>
    public static IReadOnlyList<SolverDescriptor> All => Descriptors.Value;

    /// <summary>The solver named <paramref name="name"/> (case-insensitive); a one-line error lists the names otherwise.</summary>
    public static SolverDescriptor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var descriptor in All)
        {
            if (string.Equals(descriptor.Info.Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(descriptor.Info.DisplayName, name, StringComparison.OrdinalIgnoreCase))
            {
                return descriptor;
            }
        }

        throw new ArgumentException($"solver '{name}' is not known (solvers: {string.Join(", ", All.Select(d => d.Info.Name))})");
    }

    private static List<SolverDescriptor> Build()
    {
        var list = new List<SolverDescriptor>();
        AddPaper000(list);
        AddPaper001(list);
        AddPaper002(list);
        AddPaper003(list);
        AddPaper004(list);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var descriptor in list)
        {
            if (!names.Add(descriptor.Info.Name))
            {
                throw new InvalidOperationException($"two solvers are named '{descriptor.Info.Name}'");
            }
        }

        return list;
    }

    static partial void AddPaper000(List<SolverDescriptor> list);

    static partial void AddPaper001(List<SolverDescriptor> list);

    static partial void AddPaper002(List<SolverDescriptor> list);

    static partial void AddPaper003(List<SolverDescriptor> list);

    static partial void AddPaper004(List<SolverDescriptor> list);
}
