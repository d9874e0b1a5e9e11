namespace Bilevel.Experiments;

/// <summary>One checked claim: what is claimed, the measured numbers behind it, and whether it holds.</summary>
/// <param name="Claim">The claim, with its source (paper and section, or issue).</param>
/// <param name="Evidence">The measured numbers.</param>
/// <param name="Holds">Whether the measurement supports the claim.</param>
public sealed record ClaimCheck(string Claim, string Evidence, bool Holds);
