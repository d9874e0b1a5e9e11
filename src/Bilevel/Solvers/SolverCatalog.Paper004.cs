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
            ConvergenceSetting.Tuned(4000,
                "I = 2, N = 3, R = 0.5, β = 0.9 as in the paper; batches of 8 (< 200); every normalized step has length η, so a "
                + "constant η stalls (η = 0.01: ratio 0.15-0.64, η = 0.002: 6.7e-3-4.9e-2 over seeds 0-3) and the RNN rates "
                + "(η, γ, ν) = (0.01, 0.001, 0.01) give 2.2 (y cannot track); hence η_k = 0.7/(k+10), γ_k = 1/(k+10)^0.4, "
                + "ν_k = 1/(k+10)^0.8 (η = 0.4/(k+10) runs out of travel at 3e-2); Epoch-SGD one epoch with V0 = 10, σ = 0.1 "
                + "(T_0 = 160 steps of 1/(2L)); seeds 0-3 reach 2.4e-3 to 6.0e-3",
                "UpperStep=0.7/(t+10)", "LowerStep=1/(t+10)^0.4", "LinearSystemStep=1/(t+10)^0.8",
                "UpperBatchSize=8", "SecondOrderBatchSize=8", "LowerBatchSize=8",
                "RefinementInitialGap=10", "RefinementGradientNoise=0.1")));
        list.Add(SolverDescriptor.For(
            Saba.Description,
            new SabaOptions(),
            options => new Saba(options),
            ConvergenceSetting.Tuned(5000,
                "single-sample SAGA (batch 1 per level, uniform i.i.d. draws); constant steps ρ = ν = 0.01, γ = 0.002 "
                + "(the paper's RNN rates 0.05/0.05/0.01 diverge here; γ ≥ 0.003 is unstable with one sample); seeds 0-3 reach 3.6e-4 to 5.4e-4",
                "LowerBatchSize=1", "UpperBatchSize=1", "LowerStep=0.01", "UpperStep=0.002", "LinearSystemStep=0.01")));
    }
}
