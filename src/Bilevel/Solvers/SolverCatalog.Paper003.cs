using Bilevel.Solvers.Paper003;

namespace Bilevel.Solvers;

public static partial class SolverCatalog
{
    static partial void AddPaper003(List<SolverDescriptor> list)
    {
        list.Add(SolverDescriptor.For(
            LazyBlo.Description,
            new LazyBloOptions(),
            options => new LazyBlo(options),
            ConvergenceSetting.Tuned(300, "paper β = 0.5 diverges (> 2/L, L = 10 with ±50 % sample Hessians); N = 8 as in Task 1; α_t = 0.5/(t+50) decays so the mini-batch noise of x averages out, γ_t slowly decaying; batch 64 of 200",
                "LowerStep=0.1", "UpperStep=0.5/(t+50)", "LinearSystemStep=0.1/(t+1)^0.3", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            Amigo.GradientDescentDescription,
            new AmigoOptions(),
            options => new Amigo(options),
            ConvergenceSetting.Tuned(300, "paper γ = 0.5 diverges (> 2/L); T_y = 8, T_z = 4 (Task 2 uses 8 and 2); decaying steps for the noise floor; batch 64 of 200",
                "LowerStep=0.3/(t+10)^0.5", "LinearSystemStep=0.3/(t+10)^0.5", "UpperStep=10/(t+100)", "LowerSteps=8", "LinearSystemSteps=4", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            Amigo.ConjugateGradientDescription,
            new AmigoOptions { LinearSolver = AmigoLinearSolver.ConjugateGradient },
            options => new Amigo(options),
            ConvergenceSetting.Tuned(600, "T_y = 4, T_z = 4 warm-started CG steps on one batch-64 Hessian; decaying steps for the noise floor",
                "LowerStep=0.3/(t+10)^0.5", "UpperStep=10/(t+100)", "LowerSteps=4", "LinearSystemSteps=4", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            Mrbo.Description,
            new MrboOptions(),
            options => new Mrbo(options),
            ConvergenceSetting.Tuned(300, "paper η = 0.5 makes the Neumann series diverge (η L > 1); η = 0.1 needs Q = 50 terms for a truncation bias (1 − ημ)^{Q+1} < 1e-2; α = 0.3, β = 0.2 with the reference η_k schedule; batch 32",
                "NeumannStep=0.1", "NeumannTerms=50", "UpperStep=0.3", "LowerStep=0.2", "BatchSize=32")));
        list.Add(SolverDescriptor.For(
            Soba.Description,
            new SobaOptions(),
            options => new Soba(options),
            ConvergenceSetting.Tuned(2000, "ρ = 0.1 for y and z; γ_t = 5/(t+500) decays so the x noise averages out (SOBA-style 0.5/(t+20)^{0.4} and 0.5/(t+20)^{0.6} reach only 1.6e-2 on seed 0); batch 64",
                "LowerStep=0.1", "UpperStep=5/(t+500)", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            MaSoba.Description,
            new MaSobaOptions(),
            options => new MaSoba(options),
            ConvergenceSetting.Tuned(2000, "as SOBA: β = γ = 0.1, α_t = 5/(t+500), θ = 0.1; batch 64",
                "LowerStep=0.1", "LinearSystemStep=0.1", "UpperStep=5/(t+500)", "Averaging=0.1", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            F2sa.Description,
            new F2saOptions(),
            options => new F2sa(options),
            ConvergenceSetting.Tuned(3000, "λ_k = 50 + 0.02 k increasing (Algorithm 1's λ_{k+1} = λ_k + δ; 50 → 110, full-batch bias ≈ 7e-3 at λ = 50, 3e-3 at 110) with α_k = 2.5/(k+2500) so α_k λ_k = γ = 0.05 stays below 1/L; ξ = 3 (ξαλ = 0.15 < 0.2); one lower batch shared by the z and y steps (common random numbers; with independent batches the λ-amplified y − z noise leaves ≈ 5e-2 at any tested step/batch); batch 64",
                "Multiplier=50", "MultiplierIncrement=0.02", "PenaltyStep=2.5/(t+2500)", "LowerStep=0.05", "StepRatio=3", "BatchSize=64", "SharedLowerBatch=true")));
        list.Add(SolverDescriptor.For(
            F3sa.Description,
            new F3saOptions(),
            options => new F3sa(options),
            ConvergenceSetting.Tuned(3000, "the F²SA setting (λ_k = 50 + 0.02 k, α_k = 2.5/(k+2500), γ = 0.05, ξ = 3, shared lower batch at (x, y) and (x, z)) with the paper's STORM weight η = 0.9 (η = 0.1 is no different); independent batches stay at ≈ 7.5e-2; batch 64",
                "Multiplier=50", "MultiplierIncrement=0.02", "PenaltyStep=2.5/(t+2500)", "LowerStep=0.05", "StepRatio=3", "Momentum=0.9", "BatchSize=64", "SharedLowerBatch=true")));
    }
}
