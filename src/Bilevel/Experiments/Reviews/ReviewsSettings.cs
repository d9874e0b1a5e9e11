using System.Globalization;
using Bilevel.Interactive;

namespace Bilevel.Experiments.Reviews;

/// <summary>The three text tasks of paper 004 §4.</summary>
public enum ReviewTaskKind
{
    /// <summary>§4.1, eq. (3): RNN encoder x, per-task heads y, Amazon review domains.</summary>
    HyperRepresentation,

    /// <summary>§4.2, eq. (4): one L2 weight λ = e^x for the whole RNN classifier y, Amazon reviews.</summary>
    Hyperparameter,

    /// <summary>§4.3, eq. (5): one weight logit per training tweet, RNN classifier y, Sentiment140.</summary>
    HyperCleaning,
}

/// <summary>
/// Sizes, budgets and methods of notebook 04 / <c>bilevel reproduce reviews</c> under one profile (paper 004 §4 and
/// App. F–K). <c>smoke</c>: tiny sizes, a fraction of a second per run. <c>default</c>: a hidden size of 32 and
/// <see cref="Seconds"/> solver seconds per run so that all three tasks, the ablations and the checks fit 25 minutes
/// on a 2-core CPU. <c>paper</c>: hidden size 4096, the paper's data sizes and 20 epochs × 400 iterations (hours to
/// days on a CPU). Word vectors: the bundled GloVe 6B subsets (50-d; 100-d for the comparison); the paper's 300-d
/// GloVe 840B vectors are not available here.
/// </summary>
/// <param name="Profile">The profile.</param>
/// <param name="HiddenSize">H of the 2-layer RNN (paper: 4096; its hyperparameter-optimization code uses 2048).</param>
/// <param name="MaxLength">Tokens kept per review or tweet (the paper does not truncate).</param>
/// <param name="Seeds">Solver seeds of the main comparisons (the ablations run seed 0).</param>
/// <param name="DataSeed">Seed of the task pool, the splits and the label flips.</param>
/// <param name="Iterations">Iteration budget of every run (paper F.1: 20 epochs × 400 outer iterations).</param>
/// <param name="Seconds">Solver-seconds budget of a main run (null: none).</param>
/// <param name="AblationSeconds">Solver-seconds budget of an ablation run (null: none); equal to <paramref name="Seconds"/> in every profile, because each ablation's R = 0.5 / I = 2 / N = 3 point is the main BO-REP run's seed 0 and must have had the same budget.</param>
/// <param name="EvaluationsPerDecade">Log-spaced evaluations per decade of iterations.</param>
/// <param name="PoolTasks">Training tasks of the hyper-representation pool (paper's code: 400).</param>
/// <param name="TestTasks">Held-out tasks (paper's code: 50).</param>
/// <param name="MetaBatch">Tasks per batch (paper: 20).</param>
/// <param name="HeadRegularization">μ of (μ/2)‖θ_i‖² (not reported).</param>
/// <param name="HpoTrain">Training reviews of §4.2 (paper: 20,000).</param>
/// <param name="HpoValidation">Validation reviews (not described in the paper; drawn from the train files).</param>
/// <param name="HpoTest">Test reviews (paper: 2,000).</param>
/// <param name="HpoBatch">Batch of every oracle in §4.2 (F.2: 64).</param>
/// <param name="HpoStart">ρ₀ with λ₀ = e^ρ₀ (the paper starts at λ = 0, which λ = e^ρ cannot represent).</param>
/// <param name="CleaningTrain">Training tweets of §4.3 (not reported in the paper).</param>
/// <param name="CleaningValidation">Clean validation tweets.</param>
/// <param name="CleaningBatch">Batch of every oracle in §4.3 (F.3: 512).</param>
/// <param name="CleaningRates">Flip probabilities p (paper: 0.1 and 0.3).</param>
/// <param name="CleaningRegularization">c of c‖w‖² (not reported; the code's 10⁻⁴ is on ‖w‖).</param>
/// <param name="Radii">Projection radii R of Table 3 (App. J.2).</param>
/// <param name="Periods">Periods I of Fig. 7(a) at N = 3.</param>
/// <param name="LowerStepCounts">N of Fig. 7(b) at I = 2.</param>
/// <param name="SmoothnessIterations">BO-REP iterations of the Appendix G smoothness check.</param>
/// <param name="TimeLimitSeconds">The issue's bound on the whole run (default profile: 25 minutes); null where none is set.</param>
public sealed record ReviewsSettings(
    ExperimentProfile Profile,
    int HiddenSize,
    int MaxLength,
    int Seeds,
    int DataSeed,
    long Iterations,
    double? Seconds,
    double? AblationSeconds,
    int EvaluationsPerDecade,
    int PoolTasks,
    int TestTasks,
    int MetaBatch,
    double HeadRegularization,
    int HpoTrain,
    int HpoValidation,
    int HpoTest,
    int HpoBatch,
    double HpoStart,
    int CleaningTrain,
    int CleaningValidation,
    int CleaningBatch,
    IReadOnlyList<double> CleaningRates,
    double CleaningRegularization,
    IReadOnlyList<double> Radii,
    IReadOnlyList<int> Periods,
    IReadOnlyList<int> LowerStepCounts,
    int SmoothnessIterations,
    double? TimeLimitSeconds)
{
    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public static ReviewsSettings For(ExperimentProfile profile) => profile switch
    {
        ExperimentProfile.Smoke => new(profile, HiddenSize: 8, MaxLength: 12, Seeds: 1, DataSeed: 0, Iterations: 10_000_000, Seconds: 0.12, AblationSeconds: 0.12,
            EvaluationsPerDecade: 2, PoolTasks: 6, TestTasks: 4, MetaBatch: 3, HeadRegularization: 0.1,
            HpoTrain: 120, HpoValidation: 60, HpoTest: 60, HpoBatch: 16, HpoStart: -7,
            CleaningTrain: 160, CleaningValidation: 60, CleaningBatch: 32, CleaningRates: [0.1, 0.3], CleaningRegularization: 1e-3,
            Radii: [0.001, 0.01, 0.1, 0.5, 1, 5], Periods: [2, 8], LowerStepCounts: [3, 5], SmoothnessIterations: 6, TimeLimitSeconds: null)
        {
            ReferenceSteps = 10,
            SupervisedSteps = 30,
        },
        ExperimentProfile.Paper => new(profile, HiddenSize: 4096, MaxLength: 400, Seeds: 3, DataSeed: 0, Iterations: 8000, Seconds: null, AblationSeconds: null,
            EvaluationsPerDecade: 10, PoolTasks: 400, TestTasks: 50, MetaBatch: 20, HeadRegularization: 0.1,
            HpoTrain: 20_000, HpoValidation: 1_000, HpoTest: 2_000, HpoBatch: 64, HpoStart: -7,
            CleaningTrain: 19_000, CleaningValidation: 2_000, CleaningBatch: 512, CleaningRates: [0.1, 0.3], CleaningRegularization: 1e-3,
            Radii: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], Periods: [2, 4, 8, 16, 32], LowerStepCounts: [1, 3, 5, 10], SmoothnessIterations: 2000, TimeLimitSeconds: null)
        {
            ReferenceSteps = 8000,
            SupervisedSteps = 8000,
        },
        _ => new(profile, HiddenSize: 32, MaxLength: 40, Seeds: 2, DataSeed: 0, Iterations: 10_000_000, Seconds: 12, AblationSeconds: 12,
            EvaluationsPerDecade: 4, PoolTasks: 60, TestTasks: 30, MetaBatch: 20, HeadRegularization: 0.1,
            HpoTrain: 2_000, HpoValidation: 500, HpoTest: 500, HpoBatch: 64, HpoStart: -7,
            CleaningTrain: 2_000, CleaningValidation: 500, CleaningBatch: 512, CleaningRates: [0.1, 0.3], CleaningRegularization: 1e-3,
            Radii: [0.001, 0.01, 0.1, 0.5, 1, 5], Periods: [2, 4, 8, 16], LowerStepCounts: [1, 3, 5], SmoothnessIterations: 60, TimeLimitSeconds: 1500)
        {
            ReferenceSteps = 2000,
            SupervisedSteps = 6000,
        },
    };

    /// <summary>The settings of the profile named by <c>BILEVEL_PROFILE</c>.</summary>
    public static ReviewsSettings Current => For(ExperimentProfiles.Current);

    /// <summary>
    /// SGD steps of every hyper-cleaning reference (uniform weights, clean subset, the refits on learned weights): a
    /// fixed count, so that the cleaned and the uncleaned models get exactly the same training, and the uniform and
    /// clean-subset references repeat to the bit (the refits follow the learned weights, which come from time-budgeted
    /// runs). Default 2000: what the main runs' 12 s gave them on the 2-core Zen 5 machine, 1655–2641 steps.
    /// </summary>
    public long ReferenceSteps { get; init; } = 2000;

    /// <summary>Adam steps of every supervised encoder (early-stopped at its best checkpoint; default 6000, 6–20 s here).</summary>
    public long SupervisedSteps { get; init; } = 6000;

    /// <summary>Solver seeds 0 … Seeds − 1.</summary>
    public IReadOnlyList<int> SeedList => [.. Enumerable.Range(0, Seeds)];

    /// <summary>
    /// Eq. (3) averages over the |B| tasks of a batch, so each head's gradient, Hessian and ∇y f carry a factor 1/|B|;
    /// paper 004's code steps each task's head on its own task loss. Head-only steps (lower, linear-system, Neumann,
    /// ANIL's adaptation) are therefore the paper's rate × |B|, which moves each head as the code does.
    /// </summary>
    public double HeadStepScale => MetaBatch;

    /// <summary>The task's batch size.</summary>
    public int Batch(ReviewTaskKind task) => task switch
    {
        ReviewTaskKind.HyperRepresentation => MetaBatch,
        ReviewTaskKind.Hyperparameter => HpoBatch,
        _ => CleaningBatch,
    };

    /// <summary>
    /// BO-REP with paper 004's settings (§4: I = 2, N = 3, R = 0.5, β = 0.9; App. F tuned (lower, upper) and z rates:
    /// F.1 (0.001, 0.01), z 0.01; F.2 (0.001, 1e-4), z 0.01; F.3 (0.05, 0.05), z 0.05). The initialization refinement is
    /// "plain SGD … with only one stage" (F.1) with T and α unreported: one epoch of Algorithm 3 with σ = 0, L = μ =
    /// 1/(2γ), so T₀ = ⌈16L/μ⌉ = 16 steps of α₀ = 1/(2L) = γ, and V0 = 100 so that the ball B₀ does not bind.
    /// </summary>
    public ExperimentMethod BoRep(ReviewTaskKind task, int period = 2, int lowerSteps = 3, double radius = 0.5, double? lowerRate = null, string? label = null)
    {
        var (lower, upper, z) = task switch
        {
            ReviewTaskKind.HyperRepresentation => (0.001 * HeadStepScale, 0.01, 0.01 * HeadStepScale),
            ReviewTaskKind.Hyperparameter => (0.001, 1e-4, 0.01),
            _ => (0.05, 0.05, 0.05),
        };
        if (lowerRate is { } rate)
        {
            lower = task == ReviewTaskKind.HyperRepresentation ? rate * HeadStepScale : rate;
        }

        var b = Batch(task);
        var smoothness = 1 / (2 * lower);
        return new(label ?? "BO-REP", "bo-rep",
        [
            $"UpperStep={N(upper)}", $"LowerStep={N(lower)}", $"LinearSystemStep={N(z)}", "Momentum=0.9", $"Period={period}", $"LowerSteps={lowerSteps}",
            $"Radius={N(radius)}", $"UpperBatchSize={b}", $"SecondOrderBatchSize={b}", $"LowerBatchSize={b}", "RefinementEpochs=1",
            "RefinementInitialGap=100", $"RefinementSmoothness={N(smoothness)}", $"RefinementStrongConvexity={N(smoothness)}", "RefinementGradientNoise=0",
        ]);
    }

    /// <summary>
    /// The baselines of §4 with App. F's tuned rates (lower, upper; z where tuned): stocBiO (F.1 (0.05, 0.05), 10 inner
    /// steps; F.2 0.001, 5 steps; F.3 (0.05, 0.05), 5 steps; Q = 3 Neumann terms with η = 0.01, unreported, as the lab's
    /// AccBO code), TTSA (F.1 (0.1, 0.01); F.2 0.01; F.3 (0.05, 0.01)), F²SA (F.1/F.3 (0.05, 0.05, 0.01), F.2 (0.01,
    /// 0.01, 1e-4), read as (penalty y, auxiliary z, x) steps, λ₀ = 1 (unreported) + 0.01 per meta update), SOBA (F.1
    /// (0.05, 0.05); F.2 0.05; F.3 (0.1, 0.05); one step for y and z in this library's SOBA), SABA (as SOBA, z 0.01 / 0.05
    /// / 0.05), MA-SOBA (F.1 (0.05, 0.1), z 0.01; F.2 0.05, z 0.01; F.3 (0.1, 0.05), z 0.05; β = 0.9, i.e. θ = 0.1), and
    /// on hyper-representation MAML and ANIL (F.1 (0.05, 0.1), 10 inner steps). F.2's upper rate is 1e-4 for all.
    /// </summary>
    public IReadOnlyList<ExperimentMethod> Baselines(ReviewTaskKind task)
    {
        var b = Batch(task);
        var s = task == ReviewTaskKind.HyperRepresentation ? HeadStepScale : 1;
        var hr = task == ReviewTaskKind.HyperRepresentation;
        var hpo = task == ReviewTaskKind.Hyperparameter;
        double upper(double hrRate, double hcRate) => hpo ? 1e-4 : hr ? hrRate : hcRate;
        double lower(double hrRate, double hpoRate, double hcRate) => (hr ? hrRate : hpo ? hpoRate : hcRate) * s;
        var stocInner = hr ? 10 : 5;
        var neumann = 0.01 * s;
        var methods = new List<ExperimentMethod>
        {
            new("stocBiO", "stocbio",
            [
                $"InnerStep={N(lower(0.05, 0.001, 0.05))}", $"OuterStep={N(upper(0.05, 0.05))}", $"InnerSteps={stocInner}", "NeumannSteps=3", $"NeumannStep={N(neumann)}",
                $"LowerBatchSize={b}", $"UpperBatchSize={b}", $"CrossBatchSize={b}", $"HessianBatchBase={N(b / 3.0)}", "HessianBatches=Uniform",
            ]),
            new("TTSA", "ttsa",
            [
                $"InnerStep={N(lower(0.1, 0.01, 0.05))}", $"OuterStep={N(upper(0.01, 0.01))}", "NeumannSteps=3", $"NeumannStep={N(neumann)}",
                $"LowerBatchSize={b}", $"UpperBatchSize={b}", $"HessianBatchSize={b}", $"CrossBatchSize={b}",
            ]),
            F2sa(task, b, s),
            new("SOBA", "soba", [$"LowerStep={N(lower(0.05, 0.05, 0.1))}", $"UpperStep={N(upper(0.05, 0.05))}", $"BatchSize={b}"]),
            new("SABA", "saba",
            [
                $"LowerStep={N(lower(0.05, 0.05, 0.1))}", $"UpperStep={N(upper(0.05, 0.05))}", $"LinearSystemStep={N((hr ? 0.01 : 0.05) * s)}",
                $"LowerBatchSize={b}", $"UpperBatchSize={b}",
            ]),
            new("MA-SOBA", "ma-soba",
            [
                $"LowerStep={N(lower(0.05, 0.05, 0.1))}", $"UpperStep={N(upper(0.1, 0.05))}", $"LinearSystemStep={N((hr || hpo ? 0.01 : 0.05) * s)}",
                "Averaging=0.1", $"BatchSize={b}",
            ]),
        };
        if (SabaMemoryBytes(task) > SabaMemoryLimit)
        {
            methods.RemoveAll(m => m.Solver == "saba");
        }

        if (hr)
        {
            methods.Add(new("MAML", "maml", ["InnerStep=0.05", "OuterStep=0.1", "InnerSteps=10", $"TaskBatchSize={b}"]));
            methods.Add(new("ANIL", "anil", [$"InnerStep={N(0.05 * s)}", "OuterStep=0.1", "InnerSteps=10", $"TaskBatchSize={b}"]));
        }

        return methods;
    }

    /// <summary>The most memory SABA's SAGA tables may take; beyond it SABA is left out of the task (stated in the report's settings).</summary>
    public const long SabaMemoryLimit = 2L << 30;

    /// <summary>
    /// SABA's SAGA memory on <paramref name="task"/> with 50-d vectors: per lower sample ∇y g, HVP (dy each) and cross
    /// product (dx), per upper sample ∇x f (dx) and ∇y f (dy), 8 bytes each. At the paper's sizes (H = 4096, 20,000
    /// reviews, 400 tasks) every task needs more than 100 GB, so the paper profile leaves SABA out (it is among
    /// App. F's tuned methods; §4's text names StocBio, TTSA, F²SA, SOBA and MA-SOBA).
    /// </summary>
    public long SabaMemoryBytes(ReviewTaskKind task, int dimension = 50)
    {
        long h = HiddenSize;
        var encoder = (h * dimension) + (3 * h * h) + (4 * h);
        long dx, dy, lower, upper;
        switch (task)
        {
            case ReviewTaskKind.HyperRepresentation:
                (dx, dy, lower, upper) = (encoder, PoolTasks * 2 * (h + 1), PoolTasks, PoolTasks);
                break;
            case ReviewTaskKind.Hyperparameter:
                (dx, dy, lower, upper) = (1, encoder + (2 * (h + 1)), HpoTrain, HpoValidation);
                break;
            default:
                (dx, dy, lower, upper) = (CleaningTrain, encoder + (2 * (h + 1)), CleaningTrain, CleaningValidation);
                break;
        }

        return 8 * ((lower * ((2 * dy) + dx)) + (upper * (dx + dy)));
    }

    /// <summary>BO-REP and the baselines of <paramref name="task"/>.</summary>
    public IReadOnlyList<ExperimentMethod> Methods(ReviewTaskKind task) => [BoRep(task), .. Baselines(task)];

    private static ExperimentMethod F2sa(ReviewTaskKind task, int batch, double scale)
    {
        var (penalty, auxiliary, x) = task == ReviewTaskKind.Hyperparameter ? (0.01, 0.01, 1e-4) : (0.05, 0.05, 0.01);
        penalty *= scale;
        auxiliary *= scale;
        return new("F²SA", "f2sa",
        [
            $"PenaltyStep={N(penalty)}", $"LowerStep={N(auxiliary)}", $"StepRatio={N(x / penalty)}", "Multiplier=1", "MultiplierIncrement=0.01",
            "InnerSteps=1", $"BatchSize={batch}",
        ]);
    }

    private static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
