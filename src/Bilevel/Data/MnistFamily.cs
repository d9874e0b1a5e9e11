namespace Bilevel.Data;

/// <summary>
/// Loads the 10-class 28×28 IDX datasets used for data hyper-cleaning: MNIST (papers 000, 002, 003), Fashion-MNIST
/// and QMNIST (paper 000, §6.2 / Fig. 4), and KMNIST, which shares the format.
/// </summary>
public static class MnistFamily
{
    /// <summary>The number of classes of every dataset of the family.</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// Reads an image file and a label file (raw or gzip, see <see cref="IdxReader"/>), checks that both hold the
    /// same number of items and that every label is in [0, 9], and returns the images as pixel / 255.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, the counts differ, or a label is outside 0–9.</exception>
    public static LabeledImageSet Load(string imagesPath, string labelsPath)
    {
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath, ClassCount);
        if (labels.Length != images.Count)
        {
            throw new InvalidDataException(
                $"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels; they must match");
        }

        return new LabeledImageSet(images.Pixels, labels, images.Rows, images.Columns, ClassCount);
    }

    /// <summary>Loads a catalog entry with one image and one label file (e.g. <see cref="DatasetCatalog.MnistTest"/>), resolving both with <paramref name="locator"/>.</summary>
    /// <exception cref="DatasetNotFoundException">A file is in none of the places the locator looks.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or its count differs from the catalog's.</exception>
    public static LabeledImageSet Load(DatasetInfo dataset, DataLocator? locator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        locator ??= DataLocator.FromEnvironment();
        var imagesFile = dataset.File(DatasetFileKind.Images);
        var labelsFile = dataset.File(DatasetFileKind.Labels);
        var imagesPath = locator.Resolve(imagesFile.RelativePath);
        var set = Load(imagesPath, locator.Resolve(labelsFile.RelativePath));
        if (set.Count != imagesFile.ExpectedCount)
        {
            throw new InvalidDataException(
                $"{imagesPath}: holds {set.Count} items but the catalog entry '{dataset.Name}' expects {imagesFile.ExpectedCount}");
        }

        return set;
    }

    /// <summary>The 10,000 MNIST test images bundled in data/mnist.</summary>
    public static LabeledImageSet LoadMnistTest(DataLocator? locator = null) => Load(DatasetCatalog.MnistTest, locator);

    /// <summary>The 60,000 Fashion-MNIST training images (installed by environment/setup).</summary>
    public static LabeledImageSet LoadFashionMnistTrain(DataLocator? locator = null) => Load(DatasetCatalog.FashionMnistTrain, locator);

    /// <summary>The 10,000 Fashion-MNIST test images (installed by environment/setup).</summary>
    public static LabeledImageSet LoadFashionMnistTest(DataLocator? locator = null) => Load(DatasetCatalog.FashionMnistTest, locator);
}
