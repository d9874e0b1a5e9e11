namespace Bilevel.Data;

/// <summary>
/// A dataset file is in none of the places <see cref="DataLocator"/> looks. The message is one line: the file name,
/// every place looked, and how to get the file.
/// </summary>
public sealed class DatasetNotFoundException : FileNotFoundException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public DatasetNotFoundException()
        : this("dataset file not found")
    {
    }

    /// <summary>Creates the exception with the given message.</summary>
    public DatasetNotFoundException(string message)
        : base(message)
    {
        SearchedPlaces = [];
        Hint = "";
        RelativePath = "";
    }

    /// <summary>Creates the exception with the given message and cause.</summary>
    public DatasetNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        SearchedPlaces = [];
        Hint = "";
        RelativePath = "";
    }

    /// <summary>Creates the exception for <paramref name="relativePath"/>, listing <paramref name="searchedPlaces"/> and <paramref name="hint"/>.</summary>
    public DatasetNotFoundException(string relativePath, IReadOnlyList<string> searchedPlaces, string hint)
        : base(FormatMessage(relativePath, searchedPlaces, hint), FileNameOf(relativePath))
    {
        RelativePath = relativePath;
        SearchedPlaces = searchedPlaces;
        Hint = hint;
    }

    /// <summary>The path asked for, relative to the data folder.</summary>
    public string RelativePath { get; }

    /// <summary>Every place looked, in order: full paths tried, and notes such as "$BILEVEL_DATA (not set)" for sources that were unavailable.</summary>
    public IReadOnlyList<string> SearchedPlaces { get; }

    /// <summary>How to get the file.</summary>
    public string Hint { get; }

    private static string FileNameOf(string relativePath) => relativePath[(relativePath.LastIndexOf('/') + 1)..];

    private static string FormatMessage(string relativePath, IReadOnlyList<string> searchedPlaces, string hint)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        ArgumentNullException.ThrowIfNull(searchedPlaces);
        var looked = searchedPlaces.Count == 0 ? "nowhere (no data folder found)" : string.Join("; ", searchedPlaces);
        return $"dataset file '{FileNameOf(relativePath)}' ({relativePath}) not found; looked in: {looked}; to get it: {hint}"
            .ReplaceLineEndings(" ");
    }
}
