using System.Diagnostics;
using Bilevel.Interactive;
using Bilevel.Numerics;
using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper004;
using Bilevel.Traces;

using static Bilevel.Experiments.ReportFormat;

namespace Bilevel.Experiments.Reviews;

/// <summary>
/// Sizes and budgets of the reviews budget study (<see cref="ReviewsBudgetStudy"/>): how far longer budgets and longer
/// reviews take the two issue-9 claims that fail in the main experiment's default profile.
/// </summary>
/// <param name="Reviews">The main experiment's settings (sizes, rates, seeds).</param>
/// <param name="Lengths">Tokens kept per review for the supervised encoders; the first is <see cref="ReviewsSettings.MaxLength"/>, the last is the long BO-REP run's.</param>
/// <param name="LongSeconds">Solver seconds of the long BO-REP hyper-representation run (default: 15 main runs).</param>
/// <param name="CleaningIterations">Iterations of the long BO-REP hyper-cleaning run at the largest p (it stops early when its iterates stop being finite).</param>
/// <param name="CheckpointEvery">Iterations between the cleaning run's checkpoints (test accuracy, cleaning AUC, ‖z‖, a copy of x).</param>
/// <param name="RefitSteps">SGD steps of every refit (fixed, so the refits are deterministic).</param>
public sealed record ReviewsBudgetSettings(ReviewsSettings Reviews, IReadOnlyList<int> Lengths, double LongSeconds, long CleaningIterations, int CheckpointEvery, long RefitSteps)
{
    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public static ReviewsBudgetSettings For(ExperimentProfile profile)
    {
        var reviews = ReviewsSettings.For(profile);
        return profile switch
        {
            ExperimentProfile.Smoke => new(reviews, [reviews.MaxLength, 2 * reviews.MaxLength], 0.3, 12, 4, 5),
            ExperimentProfile.Paper => new(reviews, [reviews.MaxLength], 3600, 20_000, 500, 8000),
            _ => new(reviews, [reviews.MaxLength, 150], 15 * (reviews.Seconds ?? 12), 2000, 100, 800),
        };
    }

    /// <summary>The settings of the profile named by <c>BILEVEL_PROFILE</c>.</summary>
    public static ReviewsBudgetSettings Current => For(ExperimentProfiles.Current);

    public ExperimentProfile Profile => Reviews.Profile;
}

/// <summary>The supervised encoder of one review length.</summary>
public sealed record BudgetSupervised(int MaxLength, SupervisedReference Reference);

/// <summary>One checkpoint of the long hyper-cleaning run.</summary>
/// <param name="Iteration">k.</param>
/// <param name="Seconds">Solver seconds so far (checkpoints excluded).</param>
/// <param name="TestAccuracy">The classifier y_k on the test tweets.</param>
/// <param name="CleaningAuc">ROC AUC of σ(x_k) as a clean-vs-flipped score.</param>
/// <param name="LinearSystemNorm">‖z_k‖, BO-REP's linear-system iterate.</param>
public sealed record CleaningCheckpoint(long Iteration, double Seconds, double TestAccuracy, double CleaningAuc, double LinearSystemNorm);

/// <summary>Refits of one seed with the same fixed SGD steps: uniform weights, BO-REP's weights, the true mask (test accuracy and mean test cross entropy).</summary>
public sealed record BudgetRefit(int Seed, long Steps, double UniformAccuracy, double CleanedAccuracy, double CleanSubsetAccuracy, double UniformLoss, double CleanedLoss);

/// <summary>What the budget study measured.</summary>
public sealed class ReviewsBudgetReport
{
    internal ReviewsBudgetReport(ReviewsBudgetSettings settings, IReadOnlyList<BudgetSupervised> supervised, SolverTrace longRun, IReadOnlyList<CleaningCheckpoint> checkpoints,
        long? divergedAt, IReadOnlyList<BudgetRefit> refits, int testTweets, IReadOnlyList<string> testDomains, double seconds)
    {
        Settings = settings;
        Supervised = supervised;
        LongRun = longRun;
        Checkpoints = checkpoints;
        DivergedAt = divergedAt;
        Refits = refits;
        TestTweets = testTweets;
        TestDomains = testDomains;
        Seconds = seconds;
        Claims = Check();
    }

    public ReviewsBudgetSettings Settings { get; }

    /// <summary>The supervised encoders (every training-domain review), one per length.</summary>
    public IReadOnlyList<BudgetSupervised> Supervised { get; }

    /// <summary>BO-REP with F.1's rates on hyper-representation, <see cref="ReviewsBudgetSettings.LongSeconds"/>, the longest length.</summary>
    public SolverTrace LongRun { get; }

    /// <summary>Checkpoints of the long hyper-cleaning run at the largest p, the last one finite.</summary>
    public IReadOnlyList<CleaningCheckpoint> Checkpoints { get; }

    /// <summary>The first checkpoint iteration at which the cleaning run's iterates (x, y or z) were not finite; null when they never were.</summary>
    public long? DivergedAt { get; }

    /// <summary>Test tweets the refits are scored on (one tweet is 1/TestTweets of accuracy).</summary>
    public int TestTweets { get; }

    /// <summary>Refits per seed with the weights of the last finite checkpoint.</summary>
    public IReadOnlyList<BudgetRefit> Refits { get; }

    public IReadOnlyList<string> TestDomains { get; }

    /// <summary>Wall-clock seconds of the whole study.</summary>
    public double Seconds { get; }

    public IReadOnlyList<ClaimCheck> Claims { get; }

    /// <summary>Final and best held-out accuracy of the long run, and the first solver second at 75 % (null: never).</summary>
    public (double Final, double Best, double? SecondsTo75) LongRunAccuracy
    {
        get
        {
            double best = double.NaN;
            double? first = null;
            foreach (var row in LongRun.Rows)
            {
                var value = LongRun.Value(row, TraceQuantity.Metric, "test accuracy");
                best = double.IsNaN(best) || value > best ? value : best;
                if (first is null && value >= 0.75)
                {
                    first = row.Seconds;
                }
            }

            return (LongRun.Value(LongRun.Final, TraceQuantity.Metric, "test accuracy"), best, first);
        }
    }

    private List<ClaimCheck> Check()
    {
        var claims = new List<ClaimCheck>();
        var domains = string.Join(", ", TestDomains);
        var longest = Supervised[^1];
        claims.Add(new($"A supervised encoder (every training-domain review, {Number(longest.Reference.Seconds)} s of Adam, {longest.MaxLength} tokens) reaches ≥ 75% held-out 20-shot accuracy ({domains})",
            string.Join("; ", Supervised.Select(s => $"{s.MaxLength} tokens: {Percent(s.Reference.HeldOutAccuracy)} (checkpoint {Count(s.Reference.BestSteps)} of {Count(s.Reference.Steps)} steps, chosen by its accuracy on training-domain test reviews, {Percent(s.Reference.SameDomainAccuracy)})")),
            longest.Reference.HeldOutAccuracy >= 0.75));
        var (final, best, at75) = LongRunAccuracy;
        claims.Add(new($"BO-REP (F.1 rates) with {Number(Settings.LongSeconds)} solver seconds at {Settings.Lengths[^1]} tokens reaches ≥ 75% held-out accuracy",
            $"final {Percent(final)}, best {Percent(best)} after {Count(LongRun.Final.Iteration)} iterations, {Number(LongRun.Final.Seconds)} s; 75% {(at75 is { } s ? $"first at {Number(s)} s" : "never reached")}",
            best >= 0.75));
        var rate = Number(Settings.Reviews.CleaningRates.Max());
        var last = Checkpoints[^1];
        claims.Add(new($"BO-REP (F.3 rates, ν = 0.05) on hyper-cleaning p = {rate} keeps finite iterates for {Count(Settings.CleaningIterations)} iterations",
            (DivergedAt is { } k ? $"not finite at the checkpoint of iteration {Count(k)}; " : "") + string.Join(", ", Checkpoints.Select(c => $"k = {Count(c.Iteration)}: ‖z‖ {Number(c.LinearSystemNorm)}")),
            DivergedAt is null));
        var uniform = ReviewsExperiment.Median(Refits.Select(r => r.UniformAccuracy));
        var cleaned = ReviewsExperiment.Median(Refits.Select(r => r.CleanedAccuracy));
        claims.Add(new($"Refit on BO-REP's weights at its last finite checkpoint (k = {Count(last.Iteration)}, cleaning AUC {Number(last.CleaningAuc)}) beats the uniform-weight refit (p = {rate}, {Count(Settings.RefitSteps)} SGD steps each, median over seeds)",
            $"cleaned {Percent(cleaned)}, uniform {Percent(uniform)} (difference {Number(100 * (cleaned - uniform))} points = {Number((cleaned - uniform) * TestTweets)} of {TestTweets} test tweets), clean subset {Percent(ReviewsExperiment.Median(Refits.Select(r => r.CleanSubsetAccuracy)))}; BO-REP's own classifier at the checkpoint {Percent(last.TestAccuracy)}; "
                + string.Join("; ", Refits.Select(r => $"seed {r.Seed}: {Percent(r.CleanedAccuracy)} vs {Percent(r.UniformAccuracy)}, test loss {Number(r.CleanedLoss)} vs {Number(r.UniformLoss)} (chance ln 2 = 0.6931)")),
            cleaned > uniform));
        return claims;
    }
}

/// <summary>
/// Beyond notebook 04: how far longer budgets and longer reviews take the two issue-9 claims that fail in the default
/// profile (<c>bilevel reproduce reviews-budget</c>). (1) Hyper-representation ≥ 75 %: supervised encoders at each of
/// <see cref="ReviewsBudgetSettings.Lengths"/> (is 75 % within reach of this encoder and data at all?), and BO-REP with
/// F.1's rates for <see cref="ReviewsBudgetSettings.LongSeconds"/> at the longest length. (2) Cleaned against uncleaned
/// at the largest p: BO-REP with F.3's rates for up to <see cref="ReviewsBudgetSettings.CleaningIterations"/>
/// iterations, checkpointed (test accuracy, cleaning AUC, ‖z‖), then refits with a fixed number of SGD steps on uniform
/// weights, on the weights of the last finite checkpoint and on the true mask, one per main seed.
/// </summary>
public static class ReviewsBudgetStudy
{
    /// <summary>Progress reports of <see cref="Run"/>.</summary>
    public static int ProgressSteps(ReviewsBudgetSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Lengths.Count + 2 + settings.Reviews.Seeds;
    }

    /// <summary>Runs the study.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static ReviewsBudgetReport Run(ReviewsBudgetSettings settings, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Lengths.Count == 0 || settings.Lengths[0] != settings.Reviews.MaxLength)
        {
            throw new ArgumentException($"the first length must be the experiment's MaxLength ({settings.Reviews.MaxLength})", nameof(settings));
        }

        var clock = Stopwatch.StartNew();
        var sets = new List<ReviewsExperiment.ProblemSet>();
        var supervised = new List<BudgetSupervised>();
        foreach (var length in settings.Lengths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reviews = settings.Reviews with { MaxLength = length };
            sets.Add(ReviewsExperiment.Problems(reviews, 50));
            supervised.Add(new(length, ReviewsExperiment.Supervised(sets[^1], reviews, SupervisedData.TrainingDomains, cancellationToken)));
            progress?.Report($"supervised encoder, {length} tokens: held-out 20-shot accuracy {Percent(supervised[^1].Reference.HeldOutAccuracy)} at step {supervised[^1].Reference.BestSteps} of {supervised[^1].Reference.Steps}");
        }

        var hr = ReviewTaskKind.HyperRepresentation;
        var (problem, x0, y0) = sets[^1].For(hr, 0);
        var budget = new RunSettings(new RunBudget(settings.Reviews.Iterations) { Seconds = settings.LongSeconds })
        {
            Schedule = EvaluationSchedule.Logarithmic(settings.Reviews.EvaluationsPerDecade),
            UpperStart = x0,
            LowerStart = y0,
        };
        var longRun = SolverRunner.Run(settings.Reviews.BoRep(hr).CreateSolver(), problem, budget, null, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report($"BO-REP, {settings.Lengths[^1]} tokens, {settings.LongSeconds} s: held-out accuracy {Percent(longRun.Value(longRun.Final, TraceQuantity.Metric, "test accuracy"))} after {longRun.Final.Iteration} iterations");

        var rate = settings.Reviews.CleaningRates.Max();
        var (checkpoints, divergedAt, weights) = LongCleaning(sets[0], settings, rate, cancellationToken);
        progress?.Report($"BO-REP hyper-cleaning p = {rate}: {checkpoints.Count} checkpoints, " + (divergedAt is { } k ? $"not finite at the checkpoint of iteration {k}" : "finite throughout"));

        var refits = new List<BudgetRefit>();
        foreach (var seed in settings.Reviews.SeedList)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var uniform = ReviewsExperiment.CleaningBaseline(sets[0], settings.Reviews, rate, seed, cleanOnly: false, fixedSteps: settings.RefitSteps);
            var cleaned = ReviewsExperiment.CleaningBaseline(sets[0], settings.Reviews, rate, seed, cleanOnly: false, weights, settings.RefitSteps);
            var mask = ReviewsExperiment.CleaningBaseline(sets[0], settings.Reviews, rate, seed, cleanOnly: true, fixedSteps: settings.RefitSteps);
            refits.Add(new(seed, settings.RefitSteps, uniform.TestAccuracy, cleaned.TestAccuracy, mask.TestAccuracy, uniform.TestLoss, cleaned.TestLoss));
            progress?.Report($"refits seed {seed}: BO-REP's weights {Percent(cleaned.TestAccuracy)}, uniform {Percent(uniform.TestAccuracy)}, clean subset {Percent(mask.TestAccuracy)}");
        }

        return new ReviewsBudgetReport(settings, supervised, longRun, checkpoints, divergedAt, refits, sets[0].CleaningTestTweets, sets[0].TestDomains, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// BO-REP (F.3) on hyper-cleaning at <paramref name="rate"/>, seed 0, stepped by hand so that x can be kept at every
    /// finite checkpoint: the run may diverge (z's SGD on the linear system is unstable once ν λ_max(∇²yy g) &gt; 2).
    /// </summary>
    private static (List<CleaningCheckpoint> Checkpoints, long? DivergedAt, double[] Weights) LongCleaning(ReviewsExperiment.ProblemSet set, ReviewsBudgetSettings settings,
        double rate, CancellationToken cancellationToken)
    {
        var (problem, x0, y0) = set.For(ReviewTaskKind.HyperCleaning, rate);
        var traced = (ITracedProblem)problem;
        var accuracyIndex = MetricIndex(traced, "test accuracy");
        var aucIndex = MetricIndex(traced, "cleaning AUC");
        var metrics = new double[traced.MetricNames.Count];
        var solver = settings.Reviews.BoRep(ReviewTaskKind.HyperCleaning).CreateSolver();
        var state = (BoRep.State)solver.Start(problem, [.. x0], [.. y0], 0);
        var weights = state.X.ToArray();
        var checkpoints = new List<CleaningCheckpoint>();
        var ticks = 0L;
        long? divergedAt = null;
        for (var k = 0L; ; k++)
        {
            if (k % settings.CheckpointEvery == 0 || k == settings.CleaningIterations)
            {
                if (!Vectors.AllFinite(state.X) || !Vectors.AllFinite(state.Y) || !Vectors.AllFinite(state.Z))
                {
                    divergedAt = k;
                    break;
                }

                traced.EvaluateMetrics(state.X, state.Y, metrics);
                checkpoints.Add(new(k, ticks / (double)Stopwatch.Frequency, metrics[accuracyIndex], metrics[aucIndex], Vectors.Norm(state.Z)));
                state.X.CopyTo(weights, 0);
            }

            if (k == settings.CleaningIterations)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            solver.Iterate(state);
            ticks += Stopwatch.GetTimestamp() - start;
        }

        return (checkpoints, divergedAt, weights);
    }

    private static int MetricIndex(ITracedProblem problem, string metric)
    {
        var index = TraceMetrics.IndexOf(problem.MetricNames, metric);
        return index >= 0 ? index : throw new InvalidOperationException($"the problem has no metric '{metric}'");
    }
}

/// <summary>Writes the budget study under <c>results/reviews-budget/</c>: summary.json, claims.txt and the long run's trace CSV.</summary>
public static class ReviewsBudgetResults
{
    /// <summary>The summary as JSON (settings, supervised encoders, the long run, the cleaning checkpoints, the refits, claims).</summary>
    public static string SummaryJson(ReviewsBudgetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (final, best, at75) = report.LongRunAccuracy;
        return System.Text.Json.JsonSerializer.Serialize(new
        {
            profile = report.Settings.Profile.ToString().ToLowerInvariant(),
            report.Seconds,
            settings = new { report.Settings.Lengths, report.Settings.LongSeconds, report.Settings.CleaningIterations, report.Settings.CheckpointEvery, report.Settings.RefitSteps },
            report.TestDomains,
            supervisedEncoders = report.Supervised,
            longRun = new
            {
                tokens = report.Settings.Lengths[^1],
                iterations = report.LongRun.Final.Iteration,
                seconds = report.LongRun.Final.Seconds,
                stop = report.LongRun.StopReason.ToString(),
                finalTestAccuracy = final,
                bestTestAccuracy = best,
                secondsTo75 = at75,
            },
            cleaning = new { rate = report.Settings.Reviews.CleaningRates.Max(), report.DivergedAt, report.Checkpoints },
            refits = report.Refits,
            claims = report.Claims,
        }, ResultsJson.Options);
    }

    /// <summary>Writes every file; returns their paths.</summary>
    public static IReadOnlyList<string> Write(ReviewsBudgetReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var folder = new ResultsFolder(directory);
        folder.Text("summary.json", SummaryJson(report));
        folder.Text("claims.txt", new ClaimTable("Paper 004 text experiments: the budget study (issue 9)", report.Claims) + "\n");
        folder.Traces(Path.Combine("traces", "hyper-representation-long-BO-REP.csv"), [report.LongRun]);
        return folder.Files;
    }
}
