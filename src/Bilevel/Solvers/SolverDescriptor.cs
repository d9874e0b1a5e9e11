namespace Bilevel.Solvers;

/// <summary>
/// A catalogued solver: its info, its default options (the paper's experimental values) and how to build it with
/// other options; plus the documented setting under which the test suite checks it on the finite-sum quadratic.
/// </summary>
public sealed class SolverDescriptor
{
    private readonly Func<object, BilevelSolver> _create;

    private SolverDescriptor(SolverInfo info, object defaults, Type optionsType, Func<object, BilevelSolver> create, ConvergenceSetting check)
    {
        Info = info;
        DefaultOptions = defaults;
        OptionsType = optionsType;
        _create = create;
        ConvergenceCheck = check;
    }

    /// <summary>Name, paper, loop structure, cost.</summary>
    public SolverInfo Info { get; }

    /// <summary>The options record with the paper's defaults.</summary>
    public object DefaultOptions { get; }

    /// <summary>The options record's type.</summary>
    public Type OptionsType { get; }

    /// <summary>The settings and budget of the convergence check on the finite-sum quadratic (dx = 10, dy = 20, κ = 10).</summary>
    public ConvergenceSetting ConvergenceCheck { get; }

    /// <summary>The options with their defaults and documentation.</summary>
    public IReadOnlyList<OptionDescription> Options => OptionsBinder.Describe(DefaultOptions);

    /// <summary>A descriptor for a solver with options <typeparamref name="TOptions"/>.</summary>
    public static SolverDescriptor For<TOptions>(SolverInfo info, TOptions defaults, Func<TOptions, BilevelSolver> create, ConvergenceSetting check)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(check);
        return new SolverDescriptor(info, defaults, typeof(TOptions), options => create((TOptions)options), check);
    }

    /// <summary>The solver with its default options.</summary>
    public BilevelSolver Create() => _create(DefaultOptions);

    /// <summary>The solver with the defaults changed by <c>key=value</c> settings (see <see cref="OptionsBinder"/>).</summary>
    public BilevelSolver Create(IEnumerable<KeyValuePair<string, string>> settings) =>
        _create(OptionsBinder.Apply(DefaultOptions, settings, Info.DisplayName));

    /// <summary>The solver with the given options record.</summary>
    public BilevelSolver Create(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!OptionsType.IsInstanceOfType(options))
        {
            throw new ArgumentException($"{Info.DisplayName} takes {OptionsType.Name}, not {options.GetType().Name}", nameof(options));
        }

        return _create(options);
    }

    public override string ToString() => $"{Info.Name}: {Info.DisplayName} (paper {Info.Paper})";
}

/// <summary>
/// How a solver is checked on the finite-sum quadratic: <c>key=value</c> settings over its defaults (empty: the
/// defaults), a budget, and why those settings (e.g. "the paper's steps diverge at κ = 10; tuned by a grid").
/// </summary>
/// <param name="Settings">Option changes, applied with <see cref="OptionsBinder"/>.</param>
/// <param name="Budget">The run budget.</param>
/// <param name="Note">Why these settings.</param>
public sealed record ConvergenceSetting(IReadOnlyDictionary<string, string> Settings, RunBudget Budget, string Note)
{
    /// <summary>
    /// Null when the method reaches the check's tolerance; otherwise why it does not, with the measured numbers
    /// (e.g. "minimises the meta-learning objective, not Φ"). The test suite then checks that it still falls short,
    /// so the statement is kept true: a fix must remove it.
    /// </summary>
    public string? Shortfall { get; init; }

    /// <summary>
    /// The run seeds the check must pass on (default: seed 0 only). A documented shortfall is checked on the first
    /// of them.
    /// </summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0];

    /// <summary>This setting, documented as not reaching the tolerance for <paramref name="reason"/>.</summary>
    public ConvergenceSetting FallsShort(string reason) => this with { Shortfall = reason };

    /// <summary>This setting, checked on every seed of <paramref name="seeds"/> (at least one).</summary>
    public ConvergenceSetting OnSeeds(params int[] seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentOutOfRangeException.ThrowIfZero(seeds.Length, nameof(seeds));
        return this with { Seeds = [.. seeds] };
    }

    /// <summary>The defaults under <paramref name="iterations"/> iterations.</summary>
    public static ConvergenceSetting Defaults(long iterations) => new(new Dictionary<string, string>(), new RunBudget(iterations), "paper defaults");

    /// <summary>Settings written as <c>"key=value"</c> strings.</summary>
    public static ConvergenceSetting Tuned(long iterations, string note, params string[] settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in settings)
        {
            var (key, value) = OptionsBinder.ParseSetting(setting);
            map[key] = value;
        }

        return new ConvergenceSetting(map, new RunBudget(iterations), note);
    }
}
