using static Bilevel.Experiments.Omniglot.OmniglotExperiment;
using static Bilevel.Experiments.ReportFormat;

namespace Bilevel.Experiments.Omniglot;

/// <summary>
/// The claims notebook 03 checks: paper 001 §4.6 (Fig. 1), paper 002 §5.2 (Fig. 1) and App. B.3 (Figs. 5–6), and
/// issue 8's own bounds. Each reads the measured numbers; none is tuned.
/// </summary>
public static class OmniglotClaims
{
    /// <summary>A drop of the monitor accuracy from its traced peak larger than this counts as degrading (above the sampling noise of 20 monitor tasks, about ±4 points).</summary>
    public const double Degradation = 0.05;

    /// <summary>Checks every claim the report has runs for.</summary>
    public static IReadOnlyList<ClaimCheck> Check(OmniglotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var claims = new List<ClaimCheck>();
        foreach (var shape in report.Settings.Paper001Shapes)
        {
            Paper001(report, shape, claims);
        }

        Paper002(report, claims);
        Robustness(report, claims);
        Issue(report, claims);
        return claims;
    }

    private static void Paper001(OmniglotReport report, FewShotShape shape, List<ClaimCheck> claims)
    {
        var runs = report.Section(OmniglotSection.Paper001, shape);
        var hf = runs.FirstOrDefault(r => r.Method.Method.Solver == "hf-ses-itdm");
        var ses = runs.FirstOrDefault(r => r.Method.Method.Solver == "ses-itdm");
        var esj = runs.FirstOrDefault(r => r.Method.Method.Solver == "esj");
        var hozog = runs.Where(r => r.Method.Method.Solver == "hozog").ToList();
        if (hf is null)
        {
            return;
        }

        if (report.InnerSteps.FirstOrDefault(s => s.Shape == shape) is { } step)
        {
            var literal = runs.FirstOrDefault(r => r.Label.EndsWith("(paper)", StringComparison.Ordinal));
            claims.Add(new($"Paper 001 §4.4 ({shape}): the inner step α = 0.4 suits every method (stable: 0.4 < 2/L of the head problem)",
                $"L = {Number(step.Smoothness)} at the start, 2/L = {Number(2 / step.Smoothness)}; runs use α = γ = {Number(step.Step)}"
                + (literal is null ? "" : $"; HF-SES-ITDM with α = 0.4: {Accuracy(literal.Test)}, stopped by {literal.Trace.StopReason}"),
                OmniglotSettings.Paper001InnerStep < 2 / step.Smoothness && literal?.Trace.StopReason != Solvers.StopReason.Diverged));
        }

        if (esj is not null)
        {
            claims.Add(new($"Paper 001 Fig. 1 ({shape}): HF-SES-ITDM with Q = 1 reaches ESJ (Q = 50)'s meta-test accuracy (within the 95% intervals)",
                $"HF-SES-ITDM {Accuracy(hf.Test)}, ESJ {Accuracy(esj.Test)} ({hf.Test.PerTask.Count} test tasks)",
                hf.Test.Mean + hf.Test.HalfWidth95 >= esj.Test.Mean - esj.Test.HalfWidth95));
            claims.Add(new($"Paper 001 Fig. 1 ({shape}): HF-SES-ITDM runs faster than ESJ (seconds per outer iteration)",
                $"HF-SES-ITDM {Number(PerIteration(hf))} s, ESJ {Number(PerIteration(esj))} s per iteration",
                PerIteration(hf) < PerIteration(esj)));
        }

        if (ses is not null)
        {
            claims.Add(new($"Paper 001 Fig. 1 ({shape}): HF-SES-ITDM greatly accelerates SES-ITDM (≥ 5× less time per iteration)",
                $"HF-SES-ITDM {Number(PerIteration(hf))} s, SES-ITDM {Number(PerIteration(ses))} s per iteration; meta-test HF {Accuracy(hf.Test)}, SES {Accuracy(ses.Test)}",
                PerIteration(ses) >= 5 * PerIteration(hf)));
        }

        var small = runs.FirstOrDefault(r => r.Label == "HF-SES-ITDM Q=1 γ=0.002");
        if (small is not null && esj is not null)
        {
            claims.Add(new($"Beyond paper 001 ({shape}): with a small virtual step γ = 0.002, HF-SES-ITDM with Q = 1 stays finite and learns (above the untrained network), and reaches ESJ (Q = 50) within the 95% intervals",
                $"HF-SES-ITDM γ = 0.002 {Accuracy(small.Test)} ({small.Trace.StopReason}), ESJ {Accuracy(esj.Test)}, untrained "
                + (report.RandomFeatures.TryGetValue(shape.ToString(), out var untrained) ? Accuracy(untrained) : "—"),
                small.Trace.StopReason != Solvers.StopReason.Diverged && (untrained is null || small.Test.Mean > untrained.Mean)
                && small.Test.Mean + small.Test.HalfWidth95 >= esj.Test.Mean - esj.Test.HalfWidth95));
        }

        if (hozog.Count > 0)
        {
            claims.Add(new($"Paper 001 Fig. 1 ({shape}): HOZOG with 50 and 100 directions still trails HF-SES-ITDM (Q = 1)",
                $"HF-SES-ITDM {Accuracy(hf.Test)}; " + string.Join(", ", hozog.Select(r => $"{r.Label} {Accuracy(r.Test)}")),
                hozog.All(r => r.Test.Mean < hf.Test.Mean)));
        }
    }

    private static void Paper002(OmniglotReport report, List<ClaimCheck> claims)
    {
        var runs = report.Section(OmniglotSection.Paper002);
        OmniglotRun? Find(string label) => runs.FirstOrDefault(r => r.Label == label);
        var constant = Find("AID-BiO-constant");
        var increasing = Find("AID-BiO-increasing");
        var itd = Find("ITD-BiO");
        var maml = Find("MAML");
        var anil = Find("ANIL");
        var half = report.Settings.Paper002Seconds / 2;
        if (constant is not null && increasing is not null)
        {
            claims.Add(new($"Paper 002 Fig. 1: AID-BiO-constant converges faster than AID-BiO-increasing (meta-test accuracy at half the budget, {Number(half)} s)",
                $"constant {Percent(constant.MetricAt(MetaTest, half))}, increasing {Percent(increasing.MetricAt(MetaTest, half))} (monitor tasks); "
                + $"training accuracy {Percent(constant.MetricAt(Training, half))} vs {Percent(increasing.MetricAt(Training, half))}",
                constant.MetricAt(MetaTest, half) > increasing.MetricAt(MetaTest, half)));
        }

        if (constant is not null && maml is not null && anil is not null)
        {
            claims.Add(new("Paper 002 Fig. 1: AID-BiO-constant ends with a better meta-test accuracy than MAML and ANIL",
                $"AID-BiO-constant {Accuracy(constant.Test)}, MAML {Accuracy(maml.Test)}, ANIL {Accuracy(anil.Test)}",
                constant.Test.Mean > maml.Test.Mean && constant.Test.Mean > anil.Test.Mean));
        }

        if (constant is not null && itd is not null)
        {
            claims.Add(new($"Paper 002 Fig. 1: AID-BiO is slightly faster than ITD-BiO (meta-test accuracy at half the budget, {Number(half)} s)",
                $"AID-BiO-constant {Percent(constant.MetricAt(MetaTest, half))}, ITD-BiO {Percent(itd.MetricAt(MetaTest, half))}; "
                + $"{Number(PerIteration(constant))} vs {Number(PerIteration(itd))} s per iteration",
                constant.MetricAt(MetaTest, half) >= itd.MetricAt(MetaTest, half)));
        }
    }

    private static void Robustness(OmniglotReport report, List<ClaimCheck> claims)
    {
        foreach (var group in report.Section(OmniglotSection.Robustness).GroupBy(r => r.InnerSteps))
        {
            var itd = group.FirstOrDefault(r => r.Method.Method.Solver == "itd-bio");
            var anil = group.FirstOrDefault(r => r.Method.Method.Solver == "anil");
            if (itd is null || anil is null)
            {
                continue;
            }

            string Drop(OmniglotRun r) => $"{r.Label}: peak {Percent(r.PeakMetric(MetaTest))}, final {Percent(r.FinalMetric(MetaTest))}";
            claims.Add(new($"Paper 002 Figs. 5–6 (T = {group.Key}): ITD-BiO converges stably (final meta-test accuracy within {Number(100 * Degradation)} points of its peak)",
                Drop(itd), itd.FinalMetric(MetaTest) >= itd.PeakMetric(MetaTest) - Degradation));
            claims.Add(new($"Paper 002 Figs. 5–6 (T = {group.Key}): ANIL degrades (final meta-test accuracy more than {Number(100 * Degradation)} points below its peak, or it diverges)",
                $"{Drop(anil)}; stopped by {anil.Trace.StopReason}",
                anil.Trace.StopReason == Solvers.StopReason.Diverged || anil.FinalMetric(MetaTest) < anil.PeakMetric(MetaTest) - Degradation));
        }
    }

    private static void Issue(OmniglotReport report, List<ClaimCheck> claims)
    {
        var shape = OmniglotSettings.Paper002Shape;
        var candidates = report.Runs.Where(r => r.Shape == shape && r.Section != OmniglotSection.Robustness).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var best = candidates.MaxBy(r => r.Test.Mean)!;
        claims.Add(new($"Issue 8: the best method's representation reaches ≥ 80% meta-test accuracy on {shape}",
            $"{best.Label} ({best.Section}) {Accuracy(best.Test)} on {best.Test.PerTask.Count} test tasks", best.Test.Mean >= 0.80));
        if (report.RandomFeatures.TryGetValue(shape.ToString(), out var random))
        {
            claims.Add(new($"Issue 8: a head on the untrained ConvNet's features stays far below (≥ 10 points under the best method, {shape})",
                $"untrained {Accuracy(random)}, best {Accuracy(best.Test)}", random.Mean <= best.Test.Mean - 0.10));
        }
    }

    private static double PerIteration(OmniglotRun run) => run.Iterations > 0 ? run.Seconds / run.Iterations : double.NaN;
}
