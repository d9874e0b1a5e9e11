using Bilevel.Data.Omniglot;

namespace Bilevel.Tests.Data.Omniglot;

/// <summary>Paths of the bundled Omniglot files and one shared load of the two background subsets.</summary>
internal static class OmniglotTestData
{
    private static readonly Lazy<OmniglotDataset> BundledLazy = new(() => OmniglotDataset.LoadBundled(DataDirectory));

    public static string DataDirectory => Path.Combine(Bilevel.Tests.Environment.ScriptTests.RepositoryRoot(), "data");

    public static string Small1 => Path.Combine(DataDirectory, "omniglot", "images_background_small1.zip");

    public static string Small2 => Path.Combine(DataDirectory, "omniglot", "images_background_small2.zip");

    public static string AllRuns => Path.Combine(DataDirectory, "omniglot", "all_runs.zip");

    /// <summary>small1 + small2, loaded once per test run.</summary>
    public static OmniglotDataset Bundled => BundledLazy.Value;

    /// <summary>A fresh empty folder under the system temp folder; the caller deletes it.</summary>
    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "bilevel-omniglot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
