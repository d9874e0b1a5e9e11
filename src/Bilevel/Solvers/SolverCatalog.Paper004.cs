using Bilevel.Solvers.Paper004;

namespace Bilevel.Solvers;

public static partial class SolverCatalog
{
    static partial void AddPaper004(List<SolverDescriptor> list)
    {
        list.Add(SolverDescriptor.For(
            BoRep.Description,
            new BoRepOptions(),
            options => new BoRep(options),
            ConvergenceSetting.Tuned(2500,
                "I = 2, N = 3, R = 0.5, β = 0.9 as in the paper; batches 32 (< 200); the paper's constant η (every step has length η) "
                + "cannot reach 1e-2, so η_k = 0.5/(k+10), γ_k = 1/(k+10)^0.4, ν_k = 1/(k+10)^0.8 (RNN rates 0.01/0.001/0.01 are too slow here); "
                + "Epoch-SGD one epoch with V0 = 10, σ = 0.1 (T_0 = 160 steps of 1/(2L))",
                "UpperStep=0.5/(t+10)", "LowerStep=1/(t+10)^0.4", "LinearSystemStep=1/(t+10)^0.8",
                "UpperBatchSize=32", "SecondOrderBatchSize=32", "LowerBatchSize=32",
                "RefinementInitialGap=10", "RefinementGradientNoise=0.1")));
        list.Add(SolverDescriptor.For(
            Saba.Description,
            new SabaOptions(),
            options => new Saba(options),
            ConvergenceSetting.Tuned(5000,
                "single-sample SAGA (batch 1 per level, uniform i.i.d. draws); constant steps ρ = ν = 0.01, γ = 0.002 "
                + "(the paper's RNN rates 0.05/0.05/0.01 diverge here; γ ≥ 0.003 is unstable with one sample)",
                "LowerBatchSize=1", "UpperBatchSize=1", "LowerStep=0.01", "UpperStep=0.002", "LinearSystemStep=0.01")));
    }
}
