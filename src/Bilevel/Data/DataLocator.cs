namespace Bilevel.Data;

/// <summary>
/// Finds dataset files. A file is named by its path relative to a data folder laid out like the repository's
/// data/ (e.g. <c>mnist/t10k-images-idx3-ubyte.gz</c>, <c>fashion-mnist/train-images-idx3-ubyte.gz</c>), and is
/// looked for in this order:
/// <list type="number">
/// <item>an explicit path given by the caller: a file, or a folder holding either the relative path or the bare
/// file name. When given, it is the only place looked, so a mistyped path never silently loads other data;</item>
/// <item>the folder named by the environment variable <c>BILEVEL_DATA</c> (same layout as data/);</item>
/// <item>the repository's data/, found by walking up from the current directory and then from
/// <see cref="AppContext.BaseDirectory"/> to the first folder holding <c>Bilevel.Notebooks.sln</c>;</item>
/// <item>for <c>fashion-mnist/…</c> only, <c>/usr/share/datasets/fashion-mnist/</c>, where Debian's
/// <c>dataset-fashion-mnist</c> (installed by environment/setup) puts the official IDX files.</item>
/// </list>
/// A file found nowhere raises <see cref="DatasetNotFoundException"/>, whose one-line message lists every place
/// looked and how to get the file. No source falls back to synthetic data.
/// </summary>
public sealed class DataLocator
{
    /// <summary>The environment variable naming a data folder.</summary>
    public const string EnvironmentVariable = "BILEVEL_DATA";

    /// <summary>The file that marks the repository root.</summary>
    public const string SolutionFileName = "Bilevel.Notebooks.sln";

    /// <summary>Where Debian's dataset-fashion-mnist installs the IDX files.</summary>
    public const string DefaultFashionMnistSystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Relative paths with this prefix may also come from the Fashion-MNIST system folder.</summary>
    public const string FashionMnistPrefix = "fashion-mnist/";

    private readonly string _repositoryNote;

    /// <summary>A locator over the given folders; pass null for a source that is not available.</summary>
    /// <param name="environmentDataFolder">The BILEVEL_DATA folder, or null.</param>
    /// <param name="repositoryDataFolder">The repository's data/ folder, or null.</param>
    /// <param name="fashionMnistSystemFolder">The Fashion-MNIST system folder, or null to skip it.</param>
    public DataLocator(string? environmentDataFolder, string? repositoryDataFolder, string? fashionMnistSystemFolder = DefaultFashionMnistSystemFolder)
        : this(environmentDataFolder, repositoryDataFolder, fashionMnistSystemFolder, "repository data/ (none given)")
    {
    }

    private DataLocator(string? environmentDataFolder, string? repositoryDataFolder, string? fashionMnistSystemFolder, string repositoryNote)
    {
        EnvironmentDataFolder = string.IsNullOrWhiteSpace(environmentDataFolder) ? null : environmentDataFolder;
        RepositoryDataFolder = string.IsNullOrWhiteSpace(repositoryDataFolder) ? null : repositoryDataFolder;
        FashionMnistSystemFolder = string.IsNullOrWhiteSpace(fashionMnistSystemFolder) ? null : fashionMnistSystemFolder;
        _repositoryNote = repositoryNote;
    }

    /// <summary>The BILEVEL_DATA folder, or null when the variable was not set.</summary>
    public string? EnvironmentDataFolder { get; }

    /// <summary>The repository's data/ folder, or null when no repository root was found.</summary>
    public string? RepositoryDataFolder { get; }

    /// <summary>The Fashion-MNIST system folder, or null when skipped.</summary>
    public string? FashionMnistSystemFolder { get; }

    /// <summary>
    /// The locator for this process: BILEVEL_DATA as set now, the repository found from the current directory or
    /// <see cref="AppContext.BaseDirectory"/>, and <see cref="DefaultFashionMnistSystemFolder"/>.
    /// </summary>
    public static DataLocator FromEnvironment()
    {
        var environmentFolder = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var current = Directory.GetCurrentDirectory();
        var root = FindRepositoryRoot(current) ?? FindRepositoryRoot(AppContext.BaseDirectory);
        var note = $"repository data/ (no folder with {SolutionFileName} above {current} or {AppContext.BaseDirectory})";
        return new DataLocator(environmentFolder, root is null ? null : Path.Combine(root, "data"), DefaultFashionMnistSystemFolder, note);
    }

    /// <summary>The first folder at or above <paramref name="startDirectory"/> holding <see cref="SolutionFileName"/>, or null.</summary>
    public static string? FindRepositoryRoot(string startDirectory)
    {
        if (string.IsNullOrEmpty(startDirectory))
        {
            return null;
        }

        for (var directory = new DirectoryInfo(startDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        return null;
    }

    /// <summary>
    /// Every place <see cref="Resolve"/> tries for <paramref name="relativePath"/>, in order: full paths, and notes
    /// in parentheses for sources that are not available (e.g. "$BILEVEL_DATA (not set)").
    /// </summary>
    /// <exception cref="ArgumentException">The relative path is empty, rooted or climbs out with "..".</exception>
    public IReadOnlyList<string> Places(string relativePath, string? explicitPath = null)
    {
        var places = Collect(relativePath, explicitPath);
        var texts = new string[places.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = places[i].Text;
        }

        return texts;
    }

    /// <summary>The full path of the first existing place for <paramref name="relativePath"/> (see the class remarks for the order).</summary>
    /// <param name="relativePath">Path under a data folder, forward slashes, e.g. <c>mnist/t10k-labels-idx1-ubyte.gz</c>.</param>
    /// <param name="explicitPath">A file or folder given by the caller; when not null or empty it is the only place looked.</param>
    /// <exception cref="DatasetNotFoundException">The file is in none of the places.</exception>
    /// <exception cref="ArgumentException">The relative path is empty, rooted or climbs out with "..".</exception>
    public string Resolve(string relativePath, string? explicitPath = null)
    {
        var places = Collect(relativePath, explicitPath);
        var texts = new string[places.Count];
        for (var i = 0; i < places.Count; i++)
        {
            var (text, isPath) = places[i];
            if (isPath && File.Exists(text))
            {
                return Path.GetFullPath(text);
            }

            texts[i] = text;
        }

        throw new DatasetNotFoundException(relativePath, texts, DatasetCatalog.HintFor(relativePath));
    }

    private List<(string Text, bool IsPath)> Collect(string relativePath, string? explicitPath)
    {
        var parts = SplitRelative(relativePath);
        var places = new List<(string Text, bool IsPath)>();
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (Directory.Exists(explicitPath))
            {
                places.Add((Path.Combine([explicitPath, .. parts]), true));
                if (parts.Length > 1)
                {
                    places.Add((Path.Combine(explicitPath, parts[^1]), true));
                }
            }
            else
            {
                places.Add((explicitPath, true));
            }

            return places;
        }

        places.Add(EnvironmentDataFolder is null
            ? ($"${EnvironmentVariable} (not set)", false)
            : (Path.Combine([EnvironmentDataFolder, .. parts]), true));
        places.Add(RepositoryDataFolder is null
            ? (_repositoryNote, false)
            : (Path.Combine([RepositoryDataFolder, .. parts]), true));
        if (FashionMnistSystemFolder is not null && relativePath.StartsWith(FashionMnistPrefix, StringComparison.Ordinal))
        {
            places.Add((Path.Combine([FashionMnistSystemFolder, .. parts[1..]]), true));
        }

        return places;
    }

    private static string[] SplitRelative(string relativePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        if (Path.IsPathRooted(relativePath) || relativePath.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"'{relativePath}' must be a path relative to the data folder with forward slashes, e.g. mnist/t10k-images-idx3-ubyte.gz", nameof(relativePath));
        }

        var parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var part in parts)
        {
            if (part is "." or "..")
            {
                throw new ArgumentException($"'{relativePath}' must not contain '.' or '..' segments", nameof(relativePath));
            }
        }

        if (parts.Length == 0)
        {
            throw new ArgumentException($"'{relativePath}' names no file", nameof(relativePath));
        }

        return parts;
    }
}
