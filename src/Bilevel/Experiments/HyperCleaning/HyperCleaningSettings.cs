using System.Globalization;
using Bilevel.Interactive;
using Bilevel.Problems.HyperCleaning;

namespace Bilevel.Experiments.HyperCleaning;

/// <summary>
/// Step sizes that depend on the problem's measured spectrum. With mean-normalised losses the largest eigenvalue L
/// of ∇²_WW g on Fashion-MNIST is large (the issue measured 15–19; with the papers' pixel standardisation this library
/// measures ≈ 34 at W = 0 and ≈ 37 at the lower solution, <see cref="HyperCleaningExperiment.Calibrate"/>), so the papers' lower-level step 0.5 (paper 003, LazyBLO) and Neumann step η = 0.5 (papers 002, 003)
/// make I − ηH expansive: every lower-level and linear-system step is capped at 1/L.
/// </summary>
/// <param name="LowerSmoothness">L, the measured λ_max of ∇²_WW g at the lower solution of the starting weights (see <see cref="HyperCleaningExperiment.Calibrate"/>).</param>
/// <param name="UpperStep">The outer step on λ shared by all linear methods.</param>
public sealed record HyperCleaningSteps(double LowerSmoothness, double UpperStep)
{
    /// <summary>1/L rounded down to two significant digits.</summary>
    public double SafeStep
    {
        get
        {
            var step = 1 / LowerSmoothness;
            var scale = Math.Pow(10, Math.Floor(Math.Log10(step)) - 1);
            return Math.Floor(step / scale) * scale;
        }
    }

    /// <summary>min(paper value, 1/L).</summary>
    public double Capped(double paperValue) => Math.Min(paperValue, SafeStep);
}

/// <summary>
/// The sizes, seeds, budgets and methods of notebook 02 / <c>bilevel reproduce hyper-cleaning</c> under one profile.
/// <c>smoke</c> runs every section on small subsets in seconds; <c>default</c> runs the linear sections at the papers'
/// data sizes with 3 seeds and the CNN section with 16 filters on 2000/2000 images for 150 iterations (each CNN run also
/// stopped after 10 solver seconds); <c>paper</c> uses the papers' settings
/// (10 seeds; 5000/5000 images, 64 filters, batch 256, 2000 CNN iterations, no time cap).
/// </summary>
public sealed record HyperCleaningSettings(
    ExperimentProfile Profile,
    int Seeds,
    int DataSeed,
    HyperCleaningSizes LinearSizes,
    HyperCleaningSizes MnistSizes,
    HyperCleaningSizes CnnSizes,
    int CnnFilters,
    int CnnBatch,
    long CnnIterations,
    long CnnAblationIterations,
    int CnnSeeds,
    double? CnnSeconds,
    IReadOnlyList<int> BpSteps,
    IReadOnlyList<double> Paper002Rates,
    double Paper002Seconds,
    double Paper003Seconds,
    double MnistSeconds,
    IReadOnlyList<int> LazyPeriods,
    IReadOnlyList<double> Paper003Rates,
    double UpperStep,
    int BaselineIterations)
{
    /// <summary>The main corruption rate of papers 002 (repository default) and 003 (main results).</summary>
    public const double MainRate = 0.1;

    /// <summary>Paper 000 §6.2: γ = 0.8 of the 5000 training labels perturbed.</summary>
    public const double CnnRate = 0.8;

    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public static HyperCleaningSettings For(ExperimentProfile profile) => profile switch
    {
        ExperimentProfile.Smoke => new(profile, Seeds: 1, DataSeed: 0,
            LinearSizes: new(2_000, 500, 1_000), MnistSizes: new(1_000, 500, 500), CnnSizes: new(256, 256, 256),
            CnnFilters: 4, CnnBatch: 64, CnnIterations: 3, CnnAblationIterations: 2, CnnSeeds: 1, CnnSeconds: 3, BpSteps: [2],
            Paper002Rates: [0.1, 0.4], Paper002Seconds: 0.25, Paper003Seconds: 0.25, MnistSeconds: 0.2,
            LazyPeriods: [2, 8], Paper003Rates: [0.1, 0.3], UpperStep: 1000, BaselineIterations: 20),
        ExperimentProfile.Paper => new(profile, Seeds: 10, DataSeed: 0,
            LinearSizes: HyperCleaningSizes.Paper002, MnistSizes: HyperCleaningSizes.BundledMnist, CnnSizes: HyperCleaningSizes.Paper000,
            CnnFilters: 64, CnnBatch: 256, CnnIterations: 2000, CnnAblationIterations: 2000, CnnSeeds: 3, CnnSeconds: null, BpSteps: [51, 101, 201],
            Paper002Rates: [0.1, 0.2, 0.4], Paper002Seconds: 60, Paper003Seconds: 100, MnistSeconds: 40,
            LazyPeriods: [1, 2, 4, 8, 16, 32], Paper003Rates: [0.1, 0.15, 0.2, 0.25, 0.3], UpperStep: 1000, BaselineIterations: 500),
        _ => new(profile, Seeds: 3, DataSeed: 0,
            LinearSizes: HyperCleaningSizes.Paper002, MnistSizes: HyperCleaningSizes.BundledMnist, CnnSizes: new(2_000, 2_000, 1_000),
            CnnFilters: 16, CnnBatch: 128, CnnIterations: 150, CnnAblationIterations: 60, CnnSeeds: 1, CnnSeconds: 10, BpSteps: [5, 10],
            Paper002Rates: [0.1, 0.2, 0.4], Paper002Seconds: 4, Paper003Seconds: 5, MnistSeconds: 3,
            LazyPeriods: [2, 4, 8, 16], Paper003Rates: [0.1, 0.2, 0.3], UpperStep: 1000, BaselineIterations: 200),
    };

    /// <summary>The settings of the profile named by <c>BILEVEL_PROFILE</c>.</summary>
    public static HyperCleaningSettings Current => For(ExperimentProfiles.Current);

    /// <summary>Solver seeds 0 … Seeds − 1.</summary>
    public IReadOnlyList<int> SeedList => [.. Enumerable.Range(0, Seeds)];

    /// <summary>
    /// Paper 002 App. A.2: stocBiO against BSA, TTSA, HOAG (and AID-CG, reverse, which the paper leaves out as
    /// "similar to HOAG"). stocBiO: T = 10 warm-started inner steps, Q = 3 (the repository default), batch 1000 for
    /// every role (the timed setting; the paper's text says batch 50 with Adam), Proposition 3's decaying
    /// Hessian batches with μ = 2C_r; BSA and TTSA single-sample as in the paper; HOAG, AID-CG and reverse full-batch
    /// with T = 10 and 10 CG steps. The outer optimiser is SGD for all (the algorithms as written; the paper's runs
    /// use Adam), with one shared step.
    /// </summary>
    public static IReadOnlyList<ExperimentMethod> Paper002Methods(HyperCleaningSteps steps)
    {
        var a = Number(steps.SafeStep);
        var eta = Number(steps.SafeStep);
        var beta = Number(steps.UpperStep);
        return
        [
            new("stocBiO", "stocbio", [$"InnerStep={a}", "InnerSteps=10", "NeumannSteps=3", $"NeumannStep={eta}", $"OuterStep={beta}",
                "LowerBatchSize=1000", "UpperBatchSize=1000", "CrossBatchSize=1000", "HessianBatchBase=333.34", "StrongConvexity=0.002"]),
            new("BSA", "bsa", [$"InnerStep={a}", $"OuterStep={beta}", "NeumannSteps=3", $"NeumannStep={eta}"]),
            new("TTSA", "ttsa", [$"InnerStep={a}/(t+1)^0.4", $"OuterStep={beta}/(t+1)^0.6", "NeumannSteps=3", $"NeumannStep={eta}"]),
            new("HOAG", "hoag", [$"InnerStep={a}", $"OuterStep={beta}", "MaxInnerSteps=10", "MaxCgIterations=10"]),
            new("AID-CG", "aid-cg", [$"InnerStep={a}", $"OuterStep={beta}", "InnerSteps=10", "CgIterations=10"]),
            new("reverse", "reverse", [$"InnerStep={a}", $"OuterStep={beta}", "InnerSteps=10", "TruncationSteps=10"]),
        ];
    }

    /// <summary>
    /// Paper 003 Task 1 (its §6 table): LazyBLO (α = 0.1, β = 0.5, γ = 0.1, N = 8), AmIGO (T_y = 64, T_z = 6,
    /// γ = 0.5), stocBiO (D = 64, Q = 6, η = 0.5), MRBO (Q = 12, η = 0.5), BSA (64 inner steps, N = 12, α = β = 0.01,
    /// η = 0.1, single-sample), batch 1000. Lower-level and linear-system steps are capped at 1/L
    /// (<see cref="HyperCleaningSteps"/>); the outer step is the shared one, a tenth of it for BSA (the paper's 0.01
    /// against 0.1).
    /// </summary>
    public static IReadOnlyList<ExperimentMethod> Paper003Methods(HyperCleaningSteps steps)
    {
        var beta = Number(steps.UpperStep);
        return
        [
            LazyBlo(steps, 8),
            new("AmIGO", "amigo-gd", [$"UpperStep={beta}", $"LowerStep={Number(steps.Capped(0.1))}", $"LinearSystemStep={Number(steps.Capped(0.5))}",
                "LowerSteps=64", "LinearSystemSteps=6", "BatchSize=1000"]),
            new("stocBiO", "stocbio", [$"InnerStep={Number(steps.Capped(0.1))}", "InnerSteps=64", "NeumannSteps=6", $"NeumannStep={Number(steps.Capped(0.5))}",
                $"OuterStep={beta}", "LowerBatchSize=1000", "UpperBatchSize=1000", "CrossBatchSize=1000", "HessianBatchBase=166.67", "StrongConvexity=0.002"]),
            new("MRBO", "mrbo", [$"UpperStep={beta}", $"LowerStep={Number(steps.Capped(0.1))}", $"NeumannStep={Number(steps.Capped(0.5))}", "NeumannTerms=12", "BatchSize=1000"]),
            new("BSA", "bsa", [$"InnerStep={Number(steps.Capped(0.01))}", $"OuterStep={Number(steps.UpperStep / 10)}", "InnerStepsScale=64", "InnerStepsPower=0",
                "NeumannSteps=12", $"NeumannStep={Number(steps.Capped(0.1))}"]),
        ];
    }

    /// <summary>
    /// Paper 003 Table 2's fully single-loop methods (no hyperparameters given there): TTSA and SOBA with their
    /// papers' decaying steps a/(t+1)^{0.4} (lower) and β/(t+1)^{0.6} (upper), MA-SOBA with constant steps, batch 1000.
    /// </summary>
    public static IReadOnlyList<ExperimentMethod> Paper003SingleLoopMethods(HyperCleaningSteps steps)
    {
        var a = Number(steps.SafeStep);
        var beta = Number(steps.UpperStep);
        return
        [
            new("TTSA", "ttsa", [$"InnerStep={a}/(t+1)^0.4", $"OuterStep={beta}/(t+1)^0.6", "NeumannSteps=10", $"NeumannStep={a}",
                "LowerBatchSize=1000", "UpperBatchSize=1000", "HessianBatchSize=1000", "CrossBatchSize=1000"]),
            new("SOBA", "soba", [$"LowerStep={a}/(t+1)^0.4", $"UpperStep={beta}/(t+1)^0.6", "BatchSize=1000"]),
            new("MA-SOBA", "ma-soba", [$"UpperStep={beta}", $"LowerStep={a}", $"LinearSystemStep={a}", "BatchSize=1000"]),
        ];
    }

    /// <summary>LazyBLO at laziness period N with paper 003's Task 1 steps (capped at 1/L).</summary>
    public static ExperimentMethod LazyBlo(HyperCleaningSteps steps, int period) =>
        new(period == 8 ? "LazyBLO" : $"LazyBLO N={period}", "lazyblo",
            [$"UpperStep={Number(steps.UpperStep)}", $"LowerStep={Number(steps.Capped(0.5))}", $"LinearSystemStep={Number(steps.Capped(0.1))}",
                $"LazyPeriod={period}", "BatchSize=1000"]);

    /// <summary>
    /// Paper 000 §6.2 on the CNN, with its grid-searched values (δ = 1000, c_τ = 0.001, c_β = 1e-4, c_η = 9e-4, the
    /// STORM outer update for all): FSLA; BP_T (no warm start, T of <see cref="BpSteps"/>); NS and CG warm-started with
    /// one inner step (NS_1_10, CG_1_10, CG_1_1, the paper's method_T_K naming) and CG double-loop (CG_20_10, cold
    /// inner start); batch <see cref="CnnBatch"/>.
    /// </summary>
    public IReadOnlyList<ExperimentMethod> Paper000Methods()
    {
        var batch = $"BatchSize={CnnBatch}";
        var methods = new List<ExperimentMethod> { new("FSLA", "fsla", [batch]) };
        foreach (var t in BpSteps)
        {
            methods.Add(new($"BP_{t}", "bp", [batch, $"InnerSteps={t}"]));
        }

        methods.Add(new("NS_1_10", "ns", [batch, "InnerSteps=1", "WarmStart=true", "Terms=10"]));
        methods.Add(new("CG_1_10", "cg", [batch, "InnerSteps=1", "WarmStart=true", "CgIterations=10"]));
        methods.Add(new("CG_1_1", "cg", [batch, "InnerSteps=1", "WarmStart=true", "CgIterations=1"]));
        var coldSteps = Profile.Choose(smoke: 2, @default: 10, paper: 20);
        methods.Add(new($"CG_{coldSteps}_10", "cg", [batch, $"InnerSteps={coldSteps}", "WarmStart=false", "CgIterations=10"]));
        return methods;
    }

    /// <summary>
    /// Paper 000 Figs. 5–6: FSLA with one hyperparameter at a time halved and doubled around the defaults (batch
    /// size, δ, c_τ, c_η, c_β).
    /// </summary>
    public IReadOnlyList<(string Parameter, ExperimentMethod Method)> Paper000Ablations()
    {
        var batch = $"BatchSize={CnnBatch}";
        var list = new List<(string, ExperimentMethod)>();
        foreach (var b in new[] { CnnBatch / 2, CnnBatch * 2 })
        {
            list.Add(("batch size", new($"FSLA batch {b}", "fsla", [$"BatchSize={b}"])));
        }

        foreach (var delta in new[] { 500, 2000 })
        {
            list.Add(("δ", new($"FSLA δ={delta}", "fsla", [batch, $"OuterStep={delta}/sqrt(t+1)"])));
        }

        foreach (var (name, key, value) in new[] { ("c_τ", "InnerStepScale", 0.001), ("c_η", "MomentumScale", 9e-4), ("c_β", "LinearSystemStepScale", 1e-4) })
        {
            foreach (var factor in new[] { 0.5, 2.0 })
            {
                var v = Number(value * factor);
                list.Add((name, new($"FSLA {name}={v}", "fsla", [batch, $"{key}={v}"])));
            }
        }

        return list;
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
