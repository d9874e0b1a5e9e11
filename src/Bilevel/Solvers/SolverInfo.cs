namespace Bilevel.Solvers;

/// <summary>How a method nests its loops (paper 000 §1's vocabulary).</summary>
public enum LoopStructure
{
    /// <summary>An inner loop of T lower-level steps (and possibly a linear-system loop) per upper step.</summary>
    DoubleLoop,

    /// <summary>One lower step per upper step, but an inner loop for the linear system / hypergradient (e.g. Q Neumann terms).</summary>
    SingleLoop,

    /// <summary>A fixed, K-independent number of oracle calls per iteration for every variable (FSLA, SOBA, …).</summary>
    FullySingleLoop,
}

/// <summary>What a solver is, for listings and traces.</summary>
/// <param name="Name">The name used by the catalog and the CLI (e.g. <c>stocbio</c>).</param>
/// <param name="DisplayName">The name the papers use (e.g. <c>stocBiO</c>).</param>
/// <param name="Paper">The workbook paper that proposes or runs it (<c>000</c> … <c>004</c>).</param>
/// <param name="Citation">The source of the update rule: paper, algorithm and equation.</param>
/// <param name="Loops">Loop structure.</param>
/// <param name="Stochastic">True when it draws mini-batches (false: full-batch oracles only).</param>
/// <param name="CostPerIteration">Oracle calls of one iteration as a formula of its options, e.g. <c>T ∇y g + Q HVP + 1 cross</c>.</param>
public sealed record SolverInfo(
    string Name,
    string DisplayName,
    string Paper,
    string Citation,
    LoopStructure Loops,
    bool Stochastic,
    string CostPerIteration);
