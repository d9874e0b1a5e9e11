using Bilevel.Solvers;

namespace Bilevel.Experiments;

/// <summary>
/// One method of an experiment: a catalogued solver with <c>key=value</c> settings over its paper defaults
/// (<see cref="OptionsBinder"/>), under a label such as "BP_20" or "stocBiO".
/// </summary>
/// <param name="Label">The name in figures and tables.</param>
/// <param name="Solver">The catalog name (<c>bilevel solvers list</c>).</param>
/// <param name="Settings">Option changes.</param>
public sealed record ExperimentMethod(string Label, string Solver, IReadOnlyList<string> Settings)
{
    /// <summary>The solver with these settings.</summary>
    public BilevelSolver CreateSolver()
    {
        var pairs = new List<KeyValuePair<string, string>>(Settings.Count);
        foreach (var setting in Settings)
        {
            var (key, value) = OptionsBinder.ParseSetting(setting);
            pairs.Add(new(key, value));
        }

        return SolverCatalog.Get(Solver).Create(pairs);
    }

    /// <summary>"solver key=value …", as <c>bilevel solve --solver … --set …</c> takes it.</summary>
    public override string ToString() => Settings.Count == 0 ? Solver : $"{Solver} {string.Join(" ", Settings)}";
}
