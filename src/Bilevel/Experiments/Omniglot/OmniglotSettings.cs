using Bilevel.Interactive;

namespace Bilevel.Experiments.Omniglot;

/// <summary>The part of notebook 03 a run belongs to.</summary>
public enum OmniglotSection
{
    /// <summary>Paper 001 §4 (Fig. 1): Hessian-free single-loop methods against ESJ and HOZOG.</summary>
    Paper001,

    /// <summary>Paper 002 §5.2 (Fig. 1): ITD-BiO, AID-BiO (constant and increasing T) against MAML and ANIL.</summary>
    Paper002,

    /// <summary>Paper 002 App. B.3 (Figs. 5–6): ITD-BiO against ANIL at T = 10 and T = 20 inner steps.</summary>
    Robustness,
}

/// <summary>An N-way K-shot task shape.</summary>
public sealed record FewShotShape(int Ways, int Shots)
{
    public override string ToString() => $"{Ways}-way {Shots}-shot";
}

/// <summary>One method of the experiment: a catalog solver with settings, and whether the task heads restart at zero.</summary>
/// <param name="Method">Label, catalog solver and key=value settings.</param>
/// <param name="ResetHeads">
/// Set y = 0 after each fresh meta-batch (the heads of new tasks start from zero), for every method except MAML and
/// ANIL, whose y is the meta-learned head initialization.
/// </param>
public sealed record OmniglotMethod(ExperimentMethod Method, bool ResetHeads = true)
{
    public string Label => Method.Label;
}

/// <summary>
/// Notebook 03 / <c>bilevel reproduce omniglot</c> under one profile. Every run trains the ConvNet x from the same
/// seeded initialization on the same seeded stream of meta-train tasks (a fresh meta-batch every outer iteration,
/// drawn inside the solver's clock), is traced against solver seconds with the meta-test accuracy on
/// <see cref="MonitorEpisodes"/> held-out tasks, and is finally scored on <see cref="TestEpisodes"/> meta-test tasks
/// with 95% confidence intervals and on the 20 official 20-way one-shot runs.
/// </summary>
/// <param name="Profile">The profile.</param>
/// <param name="Filters">ConvNet filters per block (papers: 64).</param>
/// <param name="Queries">Query images per class of the training tasks (paper 001 §4.2: 15).</param>
/// <param name="Paper001Shapes">Task shapes of paper 001's section (paper: 5w1s, 5w5s, 20w1s, 20w5s).</param>
/// <param name="Paper001TasksPerStep">Tasks per outer iteration for paper 001's methods (not stated in the paper).</param>
/// <param name="Paper001Seconds">Solver seconds per paper 001 run.</param>
/// <param name="Paper002TaskBatch">Tasks per outer iteration for paper 002's methods (paper: 32).</param>
/// <param name="Paper002Seconds">Solver seconds per paper 002 run.</param>
/// <param name="RobustnessSeconds">Solver seconds per robustness run.</param>
/// <param name="MonitorEpisodes">Held-out tasks scored at each trace point (the accuracy-against-time curves).</param>
/// <param name="TestEpisodes">Meta-test tasks of the final score (issue 8: at least 500 in the default profile).</param>
/// <param name="TestQueries">Query images per class of the meta-test tasks.</param>
/// <param name="PointsPerDecade">Trace evaluations per decade of iterations.</param>
/// <param name="Seed">Seed of the initialization, the task streams and the test tasks.</param>
public sealed record OmniglotSettings(
    ExperimentProfile Profile,
    int Filters,
    int Queries,
    IReadOnlyList<FewShotShape> Paper001Shapes,
    int Paper001TasksPerStep,
    double Paper001Seconds,
    int Paper002TaskBatch,
    double Paper002Seconds,
    double RobustnessSeconds,
    int MonitorEpisodes,
    int TestEpisodes,
    int TestQueries,
    int PointsPerDecade,
    int Seed = 0)
{
    /// <summary>Run only the methods with these labels (case-insensitive; null: all), e.g. to look at one method.</summary>
    public IReadOnlyList<string>? Only { get; init; }

    /// <summary>C of (C/2)‖w‖²: paper 001 writes C‖w‖² with C = 0.01.</summary>
    public const double Regularization = 0.02;

    /// <summary>Paper 002's task shape (§5.2: 5-way 5-shot).</summary>
    public static FewShotShape Paper002Shape { get; } = new(5, 5);

    /// <summary>
    /// The settings of <paramref name="profile"/>. Default: 32 filters instead of 64 (the 64-filter ConvNet costs about
    /// 3× more per pass on a 2-core CPU, measured with <c>bilevel bench omniglot</c>), 5-way 1- and 5-shot for paper 001
    /// (no 20-way), a meta-batch of 4 tasks for paper 002 (paper: 32), 5 query images per class for the meta-test tasks;
    /// everything else as the papers.
    /// </summary>
    public static OmniglotSettings For(ExperimentProfile profile) => profile switch
    {
        ExperimentProfile.Smoke => new(profile, 8, 5, [new(5, 1)], 1, 0.6, 2, 0.6, 0.4, 5, 20, 5, 2),
        ExperimentProfile.Paper => new(profile, 64, 15, [new(5, 1), new(5, 5), new(20, 1), new(20, 5)], 1, 600, 32, 900, 900, 100, 1000, 15, 4),
        _ => new(profile, 32, 15, [new(5, 1), new(5, 5)], 1, 25, 4, 50, 40, 20, 500, 5, 2),
    };

    /// <summary>Paper 001 §4.4's inner step α = 0.4, used by every method of its Fig. 1.</summary>
    public const double Paper001InnerStep = 0.4;

    /// <summary>
    /// Paper 001 §4.4: outer step β = 0.1 for every method (SGD, as Algorithm 3) and inner step α; HF-SES-ITDM with
    /// Q = 1, SES-ITDM (exact second derivatives), ESJ with Q = 50, HOZOG with Q = 50 and 100, all with
    /// α = <paramref name="innerStep"/> (also γ of the Jacobian recursion, as the paper sets no other). μ, ν and the
    /// inner steps of ESJ/HOZOG are not stated: the solvers' documented defaults (μ = ν = 0.01 for HF-SES-ITDM; ESJ and
    /// HOZOG: μ = 0.1 and T = 50 inner steps, as ESJ's code). When the experiment had to lower α below the paper's 0.4
    /// (see <see cref="OmniglotExperiment"/>), <paramref name="literal"/> adds HF-SES-ITDM with the paper's α = γ = 0.4.
    /// Beyond the paper, two HF-SES-ITDM variants probe why one direction diverges: Q = 10 directions, and Q = 1 with
    /// the virtual step γ = 0.002. With one direction v ∈ R^dy the recursion multiplies J by I − γ v bᵀ (b ≈ ∇²yy g v),
    /// whose eigenvalue 1 − γ vᵀ∇²yy g v is about 1 − γ·dy·λ̄ (dy = 5·33 = 165 here): for γ = α ≈ 0.12 it is below −1,
    /// so the product of these random matrices grows geometrically although its mean I − γ∇²yy g contracts (the run
    /// diverges the same way with β = 0.01, measured); γ = 0.002 keeps γ·dy·λ̄ well below 2.
    /// </summary>
    public static IReadOnlyList<OmniglotMethod> Paper001Methods(double innerStep = Paper001InnerStep, bool literal = false)
    {
        var a = innerStep.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var methods = new List<OmniglotMethod>
        {
            new(new("HF-SES-ITDM Q=1", "hf-ses-itdm", [$"LowerStep={a}", "UpperStep=0.1", $"VirtualStep={a}", "Directions=1"])),
            new(new("SES-ITDM", "ses-itdm", [$"LowerStep={a}", "UpperStep=0.1", $"VirtualStep={a}"])),
            new(new("ESJ Q=50", "esj", [$"LowerStep={a}", "UpperStep=0.1", "Directions=50"])),
            new(new("HOZOG Q=50", "hozog", [$"LowerStep={a}", "UpperStep=0.1", "Directions=50"])),
            new(new("HOZOG Q=100", "hozog", [$"LowerStep={a}", "UpperStep=0.1", "Directions=100"])),
        };
        methods.Add(new(new("HF-SES-ITDM Q=1 γ=0.002", "hf-ses-itdm", [$"LowerStep={a}", "UpperStep=0.1", "VirtualStep=0.002", "Directions=1"])));
        methods.Add(new(new("HF-SES-ITDM Q=10", "hf-ses-itdm", [$"LowerStep={a}", "UpperStep=0.1", $"VirtualStep={a}", "Directions=10"])));
        if (literal)
        {
            methods.Add(new(new("HF-SES-ITDM Q=1 α=0.4 (paper)", "hf-ses-itdm", ["LowerStep=0.4", "UpperStep=0.1", "VirtualStep=0.4", "Directions=1"])));
        }

        return methods;
    }

    /// <summary>
    /// Paper 002 §5.2 with Adam outer steps for all: MAML (Fig. 1(a): inner 0.5, outer 0.003, 3 steps) and ANIL
    /// (Fig. 1(a): inner 0.1, outer 0.002, 5 steps) as learn2learn; ITD-BiO and AID-BiO were grid-searched in the
    /// paper with no values reported: here the grid values inner step 0.1, outer step 0.001 (Adam), T = 10 inner steps,
    /// N = 10 CG steps, and for AID-BiO-increasing T_k = ⌈2 (k + 1)^{1/4}⌉ (c = 2 from the grid {0.5, 2, 5, 10, 50}).
    /// </summary>
    public static IReadOnlyList<OmniglotMethod> Paper002Methods() =>
    [
        new(new("ITD-BiO", "itd-bio", ["InnerStep=0.1", "OuterStep=0.001", "InnerSteps=10", "Optimizer=Adam"])),
        new(new("AID-BiO-constant", "aid-bio", ["InnerStep=0.1", "OuterStep=0.001", "InnerSteps=10", "CgIterations=10", "Rule=Constant", "Optimizer=Adam"])),
        new(new("AID-BiO-increasing", "aid-bio", ["InnerStep=0.1", "OuterStep=0.001", "CgIterations=10", "Rule=Increasing", "InnerStepsScale=2", "Optimizer=Adam"])),
        new(new("MAML", "maml", ["InnerStep=0.5", "OuterStep=0.003", "InnerSteps=3", "TaskBatchSize=0", "Optimizer=Adam"]), ResetHeads: false),
        new(new("ANIL", "anil", ["InnerStep=0.1", "OuterStep=0.002", "InnerSteps=5", "TaskBatchSize=0", "Optimizer=Adam"]), ResetHeads: false),
    ];

    /// <summary>
    /// Paper 002 App. B.3: ITD-BiO and ANIL with the same settings, Fig. 5 (T = 10: inner 0.05, outer 0.002) and Fig. 6
    /// (T = 20: inner 0.1, outer 0.001), Adam outer steps.
    /// </summary>
    public static IReadOnlyList<(int InnerSteps, OmniglotMethod Method)> RobustnessMethods()
    {
        var runs = new List<(int, OmniglotMethod)>();
        foreach (var (steps, inner, outer) in new[] { (10, "0.05", "0.002"), (20, "0.1", "0.001") })
        {
            runs.Add((steps, new(new($"ITD-BiO T={steps}", "itd-bio", [$"InnerStep={inner}", $"OuterStep={outer}", $"InnerSteps={steps}", "Optimizer=Adam"]))));
            runs.Add((steps, new(new($"ANIL T={steps}", "anil", [$"InnerStep={inner}", $"OuterStep={outer}", $"InnerSteps={steps}", "TaskBatchSize=0", "Optimizer=Adam"]), ResetHeads: false)));
        }

        return runs;
    }

    /// <summary>Whether <paramref name="method"/> is selected by <see cref="Only"/>.</summary>
    public bool Includes(OmniglotMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Only is null || Only.Any(label => string.Equals(label, method.Label, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every shape a test pool is drawn for (paper 001's and paper 002's).</summary>
    public IReadOnlyList<FewShotShape> AllShapes() => [.. Paper001Shapes.Append(Paper002Shape).Distinct()];
}
