using Bilevel.Plotting;
using Bilevel.Traces;

namespace Bilevel.Experiments;

/// <summary>
/// A results folder being written by an experiment's writer: text files, trace CSVs and standalone figures under one
/// directory, by paths relative to it (subfolders such as <c>traces/</c> are created as needed), every written path
/// recorded in order.
/// </summary>
internal sealed class ResultsFolder
{
    private readonly List<string> _files = [];

    public ResultsFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Root = directory;
        Directory.CreateDirectory(directory);
    }

    /// <summary>The folder.</summary>
    public string Root { get; }

    /// <summary>Every path written so far, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/>.</summary>
    public void Text(string relative, string content) => File.WriteAllText(Add(relative), content);

    /// <summary>Writes <paramref name="traces"/> as one CSV to <paramref name="relative"/>; false (nothing written) when that path was written already.</summary>
    public bool Traces(string relative, IReadOnlyList<SolverTrace> traces)
    {
        if (_files.Contains(Path.Combine(Root, relative)))
        {
            return false;
        }

        TraceCsv.Save(Add(relative), traces);
        return true;
    }

    /// <summary>Saves <paramref name="figure"/> as a standalone HTML page at <paramref name="relative"/>.</summary>
    public void Figure(string relative, Figure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        figure.SaveHtml(Add(relative));
    }

    private string Add(string relative)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _files.Add(path);
        return path;
    }
}
