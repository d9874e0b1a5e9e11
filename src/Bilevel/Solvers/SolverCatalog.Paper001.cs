using Bilevel.Solvers.Paper001;

namespace Bilevel.Solvers;

public static partial class SolverCatalog
{
    static partial void AddPaper001(List<SolverDescriptor> list)
    {
        list.Add(SolverDescriptor.For(
            EsItdm.Description,
            new EsItdmOptions(),
            options => new EsItdm(options),
            ConvergenceSetting.Tuned(300, "§4.4's α = 0.4 diverges at L = 10: α = γ = 0.09 < 1/L; β = 0.1 (linear rate, ratio 4e-9)", "LowerStep=0.09", "VirtualStep=0.09", "UpperStep=0.1")));
        list.Add(SolverDescriptor.For(
            SesItdm.Description,
            new SesItdmOptions(),
            options => new SesItdm(options),
            ConvergenceSetting.Tuned(600, "constant steps as Theorem 3: α = γ = 0.09; β = 0.03 shrinks the noise neighbourhood (β = 0.1: ratio 9.8e-2 with batch 32); batch 64",
                "LowerStep=0.09", "VirtualStep=0.09", "UpperStep=0.03", "BatchSize=64")));
        list.Add(SolverDescriptor.For(
            HfSesItdm.Description,
            new HfSesItdmOptions(),
            options => new HfSesItdm(options),
            ConvergenceSetting.Tuned(8000, "α = 0.09 (the paper's constant lower step, < 1/L); Q = 80 directions (paper: Q = 1; constant γ diverges unless γ ≲ 1/(dy L) and then stalls at ratio ≈ 0.1–0.5); γ_l = 0.7/(l + 7) averages the rank-Q estimates; β_l = 5/(l + 100); full batches I = B = S (Algorithm 3 with |S| = n, so the only randomness is the Gaussian directions, which is what limits it: at Q = 40, 4000 it., γ_l = 1/(l + 10) batches 8 and 32 give 5.5e-3–1.12e-2 and 5.0e-3–1.15e-2, full batches 4.8e-3–1.2e-2). Seeds 0–3: 4.8e-3, 7.2e-3, 5.1e-3, 7.0e-3 (~1.5–3 s each). The ratio falls roughly like 1/√(Q·iterations) (γ_l = 1/(l + 10), full batches): Q = 40/4000 it. 4.8e-3–1.2e-2, Q = 80/4000 7.0e-3–1.24e-2, Q = 160/4000 5.3e-3–7.7e-3, Q = 40/16000 5.2e-3–7.6e-3; batch 8 at this Q and budget: 4.1e-3–7.7e-3 at ~3× the time; the former setting (Q = 40, 4000 it., batch 32, γ_l = 1/(l + 100), β_l = 0.5/(l + 50)^0.75) gave 8.8e-3, 1.05e-2, 5.9e-3, 1.3e-2",
                "LowerStep=0.09", "VirtualStep=0.7/(t+7)", "UpperStep=5/(t+100)", "Directions=80", "BatchSize=0").OnSeeds(0, 1, 2, 3)));
        list.Add(SolverDescriptor.For(
            Esj.Description,
            new EsjOptions(),
            options => new Esj(options),
            ConvergenceSetting.Tuned(10000,
                "T = 30 warm-started steps with α = 0.15 < 2/L (T = 5: ratio 0.35, truncation bias); Q = 30 Gaussian directions; full batches (the lower solve is then exact and its oracles ~5× cheaper; the directions are the only noise); β_k = 2/(k + 20). The Gaussian-smoothing Jacobian estimate is unbiased for the linear y_T(x) of a quadratic, so its noise averages out under a decaying step, provided c μ_Φ > 1/2 in β_k = c/(k + k₀): Φ's Hessian here has eigenvalues 0.54 … 10.4, and the earlier β_k = 1/(k + 10) (c μ_Φ = 0.54) stalled at ratio 2.0–2.7e-2 after 400–800 iterations with batches 4–64 or full. Seeds 0–3 at 10000 iterations (~5 s each): 2.6e-3, 5.7e-3, 5.1e-3, 6.1e-3 (1000 it.: 0.8–1.5e-2; 5000 it.: 3.9e-3–7.0e-3)",
                "LowerStep=0.15", "InnerSteps=30", "Directions=30", "UpperStep=2/(t+20)", "BatchSize=0")));

        list.Add(SolverDescriptor.For(
            Hozog.Description,
            new HozogOptions(),
            options => new Hozog(options),
            ConvergenceSetting.Tuned(400, "T = 30 warm-started steps with α = 0.15 < 2/L (T = 5 leaves the truncation bias of y_T's Jacobian: ratio 0.27); Q = 10 sphere directions, μ = 1e-3; β_k = 2/(k + 20) (the mini-batch noise needs a decaying step); batch 64",
                "LowerStep=0.15", "InnerSteps=30", "Directions=10", "Smoothing=0.001", "UpperStep=2/(t+20)", "BatchSize=64")));
    }
}
