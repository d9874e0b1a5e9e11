namespace Bilevel.Data;

/// <summary>What a dataset file holds.</summary>
public enum DatasetFileKind
{
    /// <summary>An IDX image file (N×rows×columns).</summary>
    Images,

    /// <summary>An IDX label file (N).</summary>
    Labels,
}

/// <summary>
/// One file of a dataset: its path relative to the data folder (forward slashes, the layout of the repository's
/// data/ and of BILEVEL_DATA), what it holds, how many items, and checksums.
/// </summary>
/// <param name="RelativePath">Path under the data folder, e.g. <c>mnist/t10k-images-idx3-ubyte.gz</c>.</param>
/// <param name="Kind">Images or labels.</param>
/// <param name="ExpectedCount">The number of items (images or labels) the file must hold.</param>
/// <param name="ContentMd5">MD5 of the decompressed IDX bytes (independent of how the file was gzipped).</param>
/// <param name="FileMd5">MD5 of the file as bundled (data/README.md), or null where the copy is not ours (Debian recompresses).</param>
public sealed record DatasetFile(string RelativePath, DatasetFileKind Kind, int ExpectedCount, string ContentMd5, string? FileMd5 = null)
{
    /// <summary>The file name (last path segment).</summary>
    public string FileName => RelativePath[(RelativePath.LastIndexOf('/') + 1)..];
}

/// <summary>A dataset the workbook knows: a name for <c>bilevel data list</c>, its files, and how to get it.</summary>
/// <param name="Name">Short name, e.g. <c>mnist-test</c>.</param>
/// <param name="Description">One line: what it is and where the papers use it.</param>
/// <param name="Files">The files, images first.</param>
/// <param name="Hint">How to get it when missing.</param>
public sealed record DatasetInfo(string Name, string Description, IReadOnlyList<DatasetFile> Files, string Hint)
{
    /// <summary>The only file of the given kind.</summary>
    /// <exception cref="InvalidOperationException">The dataset has none or several.</exception>
    public DatasetFile File(DatasetFileKind kind)
    {
        DatasetFile? found = null;
        foreach (var file in Files)
        {
            if (file.Kind == kind)
            {
                if (found is not null)
                {
                    throw new InvalidOperationException($"dataset '{Name}' has several {kind} files");
                }

                found = file;
            }
        }

        return found ?? throw new InvalidOperationException($"dataset '{Name}' has no {kind} file");
    }
}

/// <summary>
/// The datasets the hyper-cleaning experiments read (see data/README.md for provenance and licenses). More
/// entries (Omniglot, text corpora) can be appended to <see cref="All"/> by their owners.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>How to get files bundled in the repository.</summary>
    public const string BundledHint = "it is bundled in the repository's data/ folder (see data/README.md); set BILEVEL_DATA to a copy of that folder if you run from elsewhere";

    /// <summary>How to get Fashion-MNIST.</summary>
    public const string FashionMnistHint = "run environment/setup (installs Debian's dataset-fashion-mnist into /usr/share/datasets/fashion-mnist/), or put the official IDX files in $BILEVEL_DATA/fashion-mnist/";

    /// <summary>The 10,000 MNIST test images and labels bundled in data/mnist (the training images are not available here).</summary>
    public static DatasetInfo MnistTest { get; } = new(
        "mnist-test",
        "MNIST test set, 10,000 28×28 digits (LeCun et al.); hyper-cleaning in papers 000, 002, 003",
        [
            new("mnist/t10k-images-idx3-ubyte.gz", DatasetFileKind.Images, 10_000, "2646ac647ad5339dbf082846283269ea", "9fb629c4189551a2d022fa330f9573f3"),
            new("mnist/t10k-labels-idx1-ubyte.gz", DatasetFileKind.Labels, 10_000, "27ae3e4e09519cfbb04c329615203637", "ec29112dd5afa0611ce80d1b7f02629c"),
        ],
        BundledHint);

    /// <summary>The 60,000 Fashion-MNIST training images and labels (Xiao, Rasul &amp; Vollgraf 2017); paper 000 Fig. 4.</summary>
    public static DatasetInfo FashionMnistTrain { get; } = new(
        "fashion-mnist-train",
        "Fashion-MNIST training set, 60,000 28×28 clothing images (Xiao et al. 2017); hyper-cleaning in paper 000",
        [
            new("fashion-mnist/train-images-idx3-ubyte.gz", DatasetFileKind.Images, 60_000, "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
            new("fashion-mnist/train-labels-idx1-ubyte.gz", DatasetFileKind.Labels, 60_000, "9018921c3c673c538a1fc5bad174d6f9"),
        ],
        FashionMnistHint);

    /// <summary>The 10,000 Fashion-MNIST test images and labels.</summary>
    public static DatasetInfo FashionMnistTest { get; } = new(
        "fashion-mnist-test",
        "Fashion-MNIST test set, 10,000 28×28 clothing images (Xiao et al. 2017)",
        [
            new("fashion-mnist/t10k-images-idx3-ubyte.gz", DatasetFileKind.Images, 10_000, "8181f5470baa50b63fa0f6fddb340f0a"),
            new("fashion-mnist/t10k-labels-idx1-ubyte.gz", DatasetFileKind.Labels, 10_000, "15d484375f8d13e6eb1aabb0c3f46965"),
        ],
        FashionMnistHint);

    /// <summary>Every known dataset, in listing order.</summary>
    public static IReadOnlyList<DatasetInfo> All { get; } = [MnistTest, FashionMnistTrain, FashionMnistTest];

    /// <summary>The dataset of the given name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No dataset has that name; the message lists the known names.</exception>
    public static DatasetInfo Find(string name)
    {
        foreach (var dataset in All)
        {
            if (string.Equals(dataset.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return dataset;
            }
        }

        var names = new string[All.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = All[i].Name;
        }

        throw new ArgumentException($"unknown dataset '{name}'; known: {string.Join(", ", names)}", nameof(name));
    }

    /// <summary>How to get the file at <paramref name="relativePath"/>: the hint of the dataset that lists it, else a pointer to data/README.md.</summary>
    public static string HintFor(string relativePath)
    {
        foreach (var dataset in All)
        {
            foreach (var file in dataset.Files)
            {
                if (string.Equals(file.RelativePath, relativePath, StringComparison.Ordinal))
                {
                    return dataset.Hint;
                }
            }
        }

        return relativePath.StartsWith(DataLocator.FashionMnistPrefix, StringComparison.Ordinal)
            ? FashionMnistHint
            : "see data/README.md for what is bundled and where it comes from";
    }
}
