using Bilevel.Data;
using Bilevel.Data.Omniglot;

namespace Bilevel.Problems.HyperRepresentation;

/// <summary>
/// The bundled Omniglot data behind notebook 03 (<c>data/omniglot/</c>, found through <see cref="DataLocator"/>):
/// the two background subsets (8 alphabets, 242 characters, split by alphabet with <see cref="OmniglotSplit"/>) and
/// the 20 official 20-way one-shot runs. Loaded once per process and shared (read-only).
/// </summary>
public static class OmniglotSetups
{
    /// <summary>The one-shot runs, relative to the data folder.</summary>
    public const string OneShotRunsFile = "omniglot/all_runs.zip";

    private static readonly Lock Gate = new();
    private static OmniglotDataset? _dataset;
    private static OneShotRuns? _runs;

    /// <summary>The two bundled background subsets, merged.</summary>
    public static OmniglotDataset Dataset()
    {
        lock (Gate)
        {
            if (_dataset is null)
            {
                var locator = DataLocator.FromEnvironment();
                _dataset = OmniglotDataset.Load([.. OmniglotDataset.BundledFiles.Select(f => locator.Resolve(f))]);
            }

            return _dataset;
        }
    }

    /// <summary>The 20 official 20-way one-shot runs.</summary>
    public static OneShotRuns OneShot()
    {
        lock (Gate)
        {
            return _runs ??= OneShotRuns.Load(DataLocator.FromEnvironment().Resolve(OneShotRunsFile));
        }
    }

    /// <summary>A seeded episode sampler over one part of the alphabet split.</summary>
    public static EpisodeSampler Sampler(OmniglotSplitPart part, bool rotations, int seed) => new(Dataset(), part, rotations, seed);
}
