namespace Bilevel.Data.Omniglot;

/// <summary>The three parts of an alphabet-level few-shot split.</summary>
public enum OmniglotSplitPart
{
    MetaTrain,
    MetaValidation,
    MetaTest,
}

/// <summary>
/// The fixed alphabet-level split of the 8 bundled Omniglot alphabets (<see cref="OmniglotDataset.BundledFiles"/>) into
/// meta-train / meta-validation / meta-test. Paper 001 (§4.2) splits the full 50 alphabets 33/5/12 "following Vinyals et
/// al. (2016)", i.e. by alphabet, about 66/10/24 % of alphabets; only 8 alphabets are bundled here, so the split is
/// 5/1/2 alphabets:
/// <list type="bullet">
/// <item>meta-train: Balinese (24 characters), Early_Aramaic (22), Greek (24), Japanese_(katakana) (47), Latin (26):
/// 143 characters;</item>
/// <item>meta-validation: Korean (40 characters);</item>
/// <item>meta-test: Sanskrit (42), Tagalog (17): 59 characters.</item>
/// </list>
/// The choice is fixed, not seeded. Greek and Latin share many letter forms, so they stay on the same side (train);
/// Sanskrit (Devanagari) and Tagalog (Baybayin) are both Brahmic scripts and go together to test. Validation and test
/// each have at least 20 characters, so 20-way tasks work on every part even without rotations (×4 with them:
/// 572 / 160 / 236 classes).
/// </summary>
public static class OmniglotSplit
{
    public static IReadOnlyList<string> MetaTrain { get; } = ["Balinese", "Early_Aramaic", "Greek", "Japanese_(katakana)", "Latin"];

    public static IReadOnlyList<string> MetaValidation { get; } = ["Korean"];

    public static IReadOnlyList<string> MetaTest { get; } = ["Sanskrit", "Tagalog"];

    /// <summary>The alphabets of <paramref name="part"/>.</summary>
    public static IReadOnlyList<string> Alphabets(OmniglotSplitPart part) => part switch
    {
        OmniglotSplitPart.MetaTrain => MetaTrain,
        OmniglotSplitPart.MetaValidation => MetaValidation,
        OmniglotSplitPart.MetaTest => MetaTest,
        _ => throw new ArgumentOutOfRangeException(nameof(part), part, "not a split part"),
    };
}
