using Bilevel.Solvers.Paper002;

namespace Bilevel.Solvers;

public static partial class SolverCatalog
{
    static partial void AddPaper002(List<SolverDescriptor> list)
    {
        list.Add(SolverDescriptor.For(
            AidBiO.Description,
            new AidBiOOptions(),
            options => new AidBiO(options),
            ConvergenceSetting.Tuned(400, "α = 0.09 < 1/L (L = 10); β = 0.2 (β = 0.5 diverges)", "InnerStep=0.09", "OuterStep=0.2")));
    }
}
