using Bilevel.Data;

namespace Bilevel.Tests.Data;

public sealed class DataLocatorTests : IDisposable
{
    private const string MnistImages = "mnist/t10k-images-idx3-ubyte.gz";
    private const string FashionTrain = "fashion-mnist/train-images-idx3-ubyte.gz";

    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_files.Folder, name)).FullName;

    [Fact]
    public void Resolve_EnvironmentFolderHasFile_WinsOverRepository()
    {
        var env = _files.Write("env/" + MnistImages, [1]);
        _files.Write("repo/" + MnistImages, [2]);
        var locator = new DataLocator(Folder("env"), Folder("repo"), fashionMnistSystemFolder: null);

        Assert.Equal(env, locator.Resolve(MnistImages));
    }

    [Fact]
    public void Resolve_EnvironmentFolderLacksFile_FallsBackToRepository()
    {
        var repo = _files.Write("repo/" + MnistImages, [2]);
        var locator = new DataLocator(Folder("env"), Folder("repo"), fashionMnistSystemFolder: null);

        Assert.Equal(repo, locator.Resolve(MnistImages));
    }

    [Fact]
    public void Resolve_FashionMnistOnlyInSystemFolder_FoundThere()
    {
        var system = _files.Write("system/train-images-idx3-ubyte.gz", [3]);
        var locator = new DataLocator(Folder("env"), Folder("repo"), Folder("system"));

        Assert.Equal(system, locator.Resolve(FashionTrain));
        Assert.Equal(
            [Path.Combine(Folder("env"), "fashion-mnist", "train-images-idx3-ubyte.gz"), Path.Combine(Folder("repo"), "fashion-mnist", "train-images-idx3-ubyte.gz"), system],
            locator.Places(FashionTrain));
    }

    [Fact]
    public void Resolve_RepositoryBeforeSystemFolder_ForFashionMnist()
    {
        var repo = _files.Write("repo/" + FashionTrain, [2]);
        _files.Write("system/train-images-idx3-ubyte.gz", [3]);
        var locator = new DataLocator(null, Folder("repo"), Folder("system"));

        Assert.Equal(repo, locator.Resolve(FashionTrain));
    }

    [Fact]
    public void Places_NotFashionMnist_SkipsSystemFolder()
    {
        _files.Write("system/t10k-images-idx3-ubyte.gz", [3]);
        var locator = new DataLocator(null, Folder("repo"), Folder("system"));

        Assert.Equal(["$BILEVEL_DATA (not set)", Path.Combine(Folder("repo"), "mnist", "t10k-images-idx3-ubyte.gz")], locator.Places(MnistImages));
        Assert.Throws<DatasetNotFoundException>(() => locator.Resolve(MnistImages));
    }

    [Fact]
    public void Resolve_ExplicitFile_ReturnedEvenIfNamedDifferently()
    {
        var mine = _files.Write("elsewhere/my-copy.gz", [9]);
        _files.Write("repo/" + MnistImages, [2]);
        var locator = new DataLocator(null, Folder("repo"));

        Assert.Equal(mine, locator.Resolve(MnistImages, mine));
    }

    [Fact]
    public void Resolve_ExplicitFolder_RelativePathThenBareName()
    {
        var bare = _files.Write("mine/t10k-images-idx3-ubyte.gz", [9]);
        var locator = new DataLocator(null, null);

        Assert.Equal(bare, locator.Resolve(MnistImages, Folder("mine")));
        var nested = _files.Write("mine/" + MnistImages, [8]);
        Assert.Equal(nested, locator.Resolve(MnistImages, Folder("mine")));
    }

    [Fact]
    public void Resolve_ExplicitPathMissing_NoFallbackAndOnlyPlaceListed()
    {
        _files.Write("repo/" + MnistImages, [2]);
        var locator = new DataLocator(null, Folder("repo"));
        var typo = Path.Combine(_files.Folder, "typo.gz");

        var ex = Assert.Throws<DatasetNotFoundException>(() => locator.Resolve(MnistImages, typo));

        Assert.Equal([typo], ex.SearchedPlaces);
    }

    [Fact]
    public void Resolve_FashionMnistMissingEverywhere_OneLineListingPlacesAndSetup()
    {
        var locator = new DataLocator(Folder("env"), null, Folder("system"));

        var ex = Assert.Throws<DatasetNotFoundException>(() => locator.Resolve(FashionTrain));

        Assert.IsAssignableFrom<FileNotFoundException>(ex);
        Assert.Equal("train-images-idx3-ubyte.gz", ex.FileName);
        Assert.Equal(FashionTrain, ex.RelativePath);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(
            $"dataset file 'train-images-idx3-ubyte.gz' ({FashionTrain}) not found; looked in: " +
            $"{Path.Combine(Folder("env"), "fashion-mnist", "train-images-idx3-ubyte.gz")}; repository data/ (none given); " +
            $"{Path.Combine(Folder("system"), "train-images-idx3-ubyte.gz")}; " +
            "to get it: run environment/setup (installs Debian's dataset-fashion-mnist into /usr/share/datasets/fashion-mnist/), or put the official IDX files in $BILEVEL_DATA/fashion-mnist/",
            ex.Message);
    }

    [Fact]
    public void Resolve_UnknownFile_HintPointsToDataReadme()
    {
        var locator = new DataLocator(null, Folder("repo"));

        var ex = Assert.Throws<DatasetNotFoundException>(() => locator.Resolve("kmnist/k49-train-imgs.gz"));

        Assert.EndsWith("to get it: see data/README.md for what is bundled and where it comes from", ex.Message, StringComparison.Ordinal);
        Assert.Contains("$BILEVEL_DATA (not set)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../secrets")]
    [InlineData("mnist/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("mnist\\t10k")]
    [InlineData(" ")]
    public void Resolve_BadRelativePath_ArgumentException(string relativePath)
    {
        var locator = new DataLocator(null, null);

        Assert.ThrowsAny<ArgumentException>(() => locator.Resolve(relativePath));
    }

    [Fact]
    public void FromEnvironment_TestRun_FindsRepositoryData()
    {
        var locator = DataLocator.FromEnvironment();

        Assert.NotNull(locator.RepositoryDataFolder);
        Assert.True(File.Exists(Path.Combine(locator.RepositoryDataFolder!, "..", DataLocator.SolutionFileName)));
        Assert.True(File.Exists(Path.Combine(locator.RepositoryDataFolder!, "README.md")));
        Assert.Equal(DataLocator.DefaultFashionMnistSystemFolder, locator.FashionMnistSystemFolder);
        var env = System.Environment.GetEnvironmentVariable(DataLocator.EnvironmentVariable);
        Assert.Equal(string.IsNullOrWhiteSpace(env) ? null : env, locator.EnvironmentDataFolder);
    }

    [Fact]
    public void FindRepositoryRoot_FolderWithoutSolutionAbove_Null()
    {
        Assert.Null(DataLocator.FindRepositoryRoot(Folder("nowhere")));
    }

    [Fact]
    public void FindRepositoryRoot_NestedFolder_WalksUpToSolution()
    {
        _files.Write("root/" + DataLocator.SolutionFileName, []);
        var nested = Folder("root/a/b/c");

        Assert.Equal(Folder("root"), DataLocator.FindRepositoryRoot(nested));
    }
}
