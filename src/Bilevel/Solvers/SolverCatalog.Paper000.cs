using Bilevel.Solvers.Paper000;

namespace Bilevel.Solvers;

public static partial class SolverCatalog
{
    static partial void AddPaper000(List<SolverDescriptor> list)
    {
        list.Add(SolverDescriptor.For(
            Fsla.Description,
            new FslaOptions(),
            options => new Fsla(options),
            ConvergenceSetting.Tuned(2000, "paper schedule α_k = a/√(k+b) with a = 0.2, b = 100 (α_0 = 0.02; α_0 = 0.05 diverges at full batch); τ = β = 4.5 α ≤ 0.09 < 1/L; η = 25 α ∈ [0.11, 0.5]; batch 64 (32: 1.1e-2)",
                "OuterStep=0.2/sqrt(t+100)", "InnerStepScale=4.5", "LinearSystemStepScale=4.5", "MomentumScale=25", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            Bp.Description,
            new BpOptions(),
            options => new Bp(options),
            ConvergenceSetting.Tuned(1000, "warm-started T = 50 (T = 1 is biased: ratio 3.0; the truncation bias (1 − τμ)^T needs τ to stay near 0.09, so α is constant 0.02); η = 5 α = 0.1; batch 64",
                "OuterStep=0.02", "InnerStepScale=4.5", "MomentumScale=5", "InnerSteps=50", "WarmStart=true", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            Ns.Description,
            new NsOptions(),
            options => new Ns(options),
            ConvergenceSetting.Tuned(1000, "α_k = 0.2/√(k+100); τ = 4.5 α; η = 5 α; K = 50 terms with β = 0.09 (K = 10 leaves a truncation bias 0.9^10: ratio 9.8e-2); batch 64",
                "OuterStep=0.2/sqrt(t+100)", "InnerStepScale=4.5", "MomentumScale=5", "Terms=50", "NeumannStep=0.09", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            Cg.Description,
            new CgOptions(),
            options => new Cg(options),
            ConvergenceSetting.Tuned(1000, "α_k = 0.2/√(k+100); τ = 4.5 α; η = 5 α; the paper's K = 10 CG steps; batch 64",
                "OuterStep=0.2/sqrt(t+100)", "InnerStepScale=4.5", "MomentumScale=5", "CgIterations=10", "BatchSize=64")));
    }
}
