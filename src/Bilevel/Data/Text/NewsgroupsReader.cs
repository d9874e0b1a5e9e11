namespace Bilevel.Data.Text;

/// <summary>The 20 Newsgroups "bydate" split: messages posted before (train) and after (test) a date.</summary>
public enum NewsgroupsSplit
{
    Train,
    Test,
}

/// <summary>What to remove from each message, as scikit-learn's <c>fetch_20newsgroups(remove=…)</c>; applied in the
/// order headers, footers, quotes.</summary>
[Flags]
public enum NewsgroupsCleaning
{
    /// <summary>Keep the raw message (what <c>fetch_20newsgroups_vectorized</c> uses by default, and Grazzi et al.'s
    /// and paper 002's code).</summary>
    None = 0,

    /// <summary>Drop everything up to and including the first blank line ("\n\n"); a message without one becomes empty.</summary>
    Headers = 1,

    /// <summary>Drop the signature: from the last line that is blank or only dashes on (scikit-learn's rule).</summary>
    Footers = 2,

    /// <summary>Drop quoted lines: lines that start with "&gt;", "|", "In article" or "Quoted from", or that contain
    /// "writes in", "writes:", "wrote:", "says:" or "said:".</summary>
    Quotes = 4,

    /// <summary>All three (<c>remove=('headers', 'footers', 'quotes')</c>).</summary>
    All = Headers | Footers | Quotes,
}

/// <summary>One message: split, newsgroup, label (index of the group in <see cref="NewsgroupsDataset.Groups"/>),
/// file name (the article number) and text.</summary>
public sealed record NewsgroupsMessage(NewsgroupsSplit Split, string Group, int Label, string FileName, string Text);

/// <summary>The messages of a 20 Newsgroups bydate archive, each split ordered by group (ordinal) then file name (ordinal),
/// i.e. scikit-learn's <c>load_files</c> order before its shuffle.</summary>
public sealed class NewsgroupsDataset
{
    internal NewsgroupsDataset(string[] groups, List<NewsgroupsMessage> train, List<NewsgroupsMessage> test, int latin1)
    {
        Groups = groups;
        Train = train;
        Test = test;
        Latin1Messages = latin1;
    }

    /// <summary>The 20 group names in ordinal order (label = index), as scikit-learn's <c>target_names</c>.</summary>
    public IReadOnlyList<string> Groups { get; }

    public IReadOnlyList<NewsgroupsMessage> Train { get; }

    public IReadOnlyList<NewsgroupsMessage> Test { get; }

    /// <summary>Messages that were not valid UTF-8 and were decoded as Latin-1.</summary>
    public int Latin1Messages { get; }

    public IReadOnlyList<NewsgroupsMessage> this[NewsgroupsSplit split] => split == NewsgroupsSplit.Train ? Train : Test;

    /// <summary>Texts of a split, in order (input for <see cref="TextVectorizer"/>).</summary>
    public string[] Texts(NewsgroupsSplit split)
    {
        var messages = this[split];
        var texts = new string[messages.Count];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = messages[i].Text;
        }

        return texts;
    }

    /// <summary>Labels of a split, in order.</summary>
    public int[] Labels(NewsgroupsSplit split)
    {
        var messages = this[split];
        var labels = new int[messages.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = messages[i].Label;
        }

        return labels;
    }
}

/// <summary>
/// Reads the 20 Newsgroups bydate corpus (Lang 1995; Rennie's "bydate" split) used by paper 002's per-feature L2
/// hyperparameter experiment (after Grazzi et al. 2020): <c>20news-bydate-{train,test}/&lt;group&gt;/&lt;id&gt;</c> raw
/// messages in <c>20news-bydate.tar.gz</c> or an extracted folder. The original messages are Latin-1 (scikit-learn
/// decodes them as Latin-1); the bundled copy has its 37 non-ASCII messages re-encoded as UTF-8, so each message is decoded as strict
/// UTF-8 and, when that fails, as Latin-1, which returns the original characters in both cases. Line endings are kept
/// as they are (a few messages contain CR), as scikit-learn keeps them.
/// </summary>
public static class NewsgroupsReader
{
    private const string TrainFolder = "20news-bydate-train";
    private const string TestFolder = "20news-bydate-test";

    /// <summary>Reads both splits; <paramref name="remove"/> selects the scikit-learn cleaning (none by default).</summary>
    /// <exception cref="FileNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">Corrupt archive, no messages, or train and test with different groups.</exception>
    public static NewsgroupsDataset Read(string path, NewsgroupsCleaning remove = NewsgroupsCleaning.None)
    {
        if ((remove & ~NewsgroupsCleaning.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(remove), remove, "unknown cleaning flags");
        }

        var raw = new List<(NewsgroupsSplit Split, string Group, string File, string Text)>();
        var latin1 = 0;
        foreach (var file in TextArchive.Enumerate(path, name => TryParsePath(name, out _, out _, out _)))
        {
            if (!TryParsePath(file.Path, out var split, out var group, out var fileName))
            {
                continue;
            }

            var text = TextDecoding.Decode(file.Data, out var usedLatin1);
            if (usedLatin1)
            {
                latin1++;
            }

            raw.Add((split, group, fileName, Clean(text, remove)));
        }

        if (raw.Count == 0)
        {
            throw new InvalidDataException($"{path}: no {TrainFolder}/<group>/<id> or {TestFolder}/<group>/<id> files found");
        }

        var trainGroups = new SortedSet<string>(StringComparer.Ordinal);
        var testGroups = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var message in raw)
        {
            (message.Split == NewsgroupsSplit.Train ? trainGroups : testGroups).Add(message.Group);
        }

        if (trainGroups.Count == 0 || testGroups.Count == 0)
        {
            throw new InvalidDataException($"{path}: {(trainGroups.Count == 0 ? TrainFolder : TestFolder)} holds no messages");
        }

        if (!trainGroups.SetEquals(testGroups))
        {
            var only = trainGroups.Except(testGroups).Concat(testGroups.Except(trainGroups)).First();
            throw new InvalidDataException($"{path}: group '{only}' is in only one of {TrainFolder} and {TestFolder}");
        }

        var groups = trainGroups.ToArray();
        raw.Sort((a, b) =>
        {
            var c = string.CompareOrdinal(a.Group, b.Group);
            return c != 0 ? c : string.CompareOrdinal(a.File, b.File);
        });
        var train = new List<NewsgroupsMessage>();
        var test = new List<NewsgroupsMessage>();
        foreach (var (split, group, fileName, text) in raw)
        {
            var message = new NewsgroupsMessage(split, group, Array.BinarySearch(groups, group, StringComparer.Ordinal), fileName, text);
            (split == NewsgroupsSplit.Train ? train : test).Add(message);
        }

        return new NewsgroupsDataset(groups, train, test, latin1);
    }

    /// <summary>Applies the selected cleaning steps in scikit-learn's order (headers, footers, quotes).</summary>
    public static string Clean(string text, NewsgroupsCleaning remove)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (remove.HasFlag(NewsgroupsCleaning.Headers))
        {
            text = StripHeaders(text);
        }

        if (remove.HasFlag(NewsgroupsCleaning.Footers))
        {
            text = StripFooter(text);
        }

        if (remove.HasFlag(NewsgroupsCleaning.Quotes))
        {
            text = StripQuotes(text);
        }

        return text;
    }

    /// <summary>Text after the first "\n\n" (scikit-learn's <c>strip_newsgroup_header</c>: <c>text.partition("\n\n")[2]</c>).</summary>
    public static string StripHeaders(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf("\n\n", StringComparison.Ordinal);
        return at < 0 ? string.Empty : text[(at + 2)..];
    }

    /// <summary>scikit-learn's <c>strip_newsgroup_footer</c>: on the stripped text's lines, cut at the last line that is
    /// empty after trimming whitespace and dashes, unless that is the first line (then the text is returned unchanged).</summary>
    public static string StripFooter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = PythonStrip(text).Split('\n');
        var lineNumber = lines.Length - 1;
        for (; lineNumber >= 0; lineNumber--)
        {
            if (PythonStrip(lines[lineNumber]).Trim('-').Length == 0)
            {
                break;
            }
        }

        // Python leaves the loop variable at 0 when no line matched, like a break on line 0.
        return lineNumber > 0 ? string.Join('\n', lines, 0, lineNumber) : text;
    }

    /// <summary>scikit-learn's <c>strip_newsgroup_quoting</c>: drops the lines its quote pattern matches.</summary>
    public static string StripQuotes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        var kept = new List<string>(lines.Length);
        foreach (var line in lines)
        {
            if (!IsQuoteLine(line))
            {
                kept.Add(line);
            }
        }

        return string.Join('\n', kept);
    }

    private static bool IsQuoteLine(string line) =>
        line.Contains("writes in", StringComparison.Ordinal)
        || line.Contains("writes:", StringComparison.Ordinal)
        || line.Contains("wrote:", StringComparison.Ordinal)
        || line.Contains("says:", StringComparison.Ordinal)
        || line.Contains("said:", StringComparison.Ordinal)
        || line.StartsWith("In article", StringComparison.Ordinal)
        || line.StartsWith("Quoted from", StringComparison.Ordinal)
        || line.StartsWith('|')
        || line.StartsWith('>');

    /// <summary>Python's <c>str.strip()</c> (Unicode whitespace, including U+001C–U+001F).</summary>
    private static string PythonStrip(string text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && Tokenizer.IsSpace(text[start]))
        {
            start++;
        }

        while (end > start && Tokenizer.IsSpace(text[end - 1]))
        {
            end--;
        }

        return start == 0 && end == text.Length ? text : text[start..end];
    }

    private static bool TryParsePath(string path, out NewsgroupsSplit split, out string group, out string file)
    {
        split = default;
        group = string.Empty;
        file = string.Empty;
        var parts = path.Split('/');
        if (parts.Length < 3)
        {
            return false;
        }

        var folder = parts[^3];
        if (folder == TrainFolder)
        {
            split = NewsgroupsSplit.Train;
        }
        else if (folder == TestFolder)
        {
            split = NewsgroupsSplit.Test;
        }
        else
        {
            return false;
        }

        group = parts[^2];
        file = parts[^1];
        return group.Length > 0 && file.Length > 0;
    }
}
