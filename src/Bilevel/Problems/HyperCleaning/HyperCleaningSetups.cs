using Bilevel.Data;

namespace Bilevel.Problems.HyperCleaning;

/// <summary>The data sets hyper-cleaning experiments run on.</summary>
public enum HyperCleaningDataset
{
    /// <summary>Fashion-MNIST (Debian's <c>dataset-fashion-mnist</c>): training and validation images from the 60,000 training images, test images from the 10,000 test images.</summary>
    FashionMnist,

    /// <summary>MNIST: only the 10,000 test images are bundled (<c>../shared/data</c>), so all three splits come from them, disjoint.</summary>
    Mnist,
}

/// <summary>Split sizes of a hyper-cleaning data set.</summary>
/// <param name="Train">Corrupted training images.</param>
/// <param name="Validation">Clean validation images.</param>
/// <param name="Test">Clean test images.</param>
public readonly record struct HyperCleaningSizes(int Train, int Validation, int Test)
{
    /// <summary>Papers 002 (App. A.2) and 003 (Task 1, through its reference code): 20000 / 5000 / 10000.</summary>
    public static HyperCleaningSizes Paper002 => new(20_000, 5_000, 10_000);

    /// <summary>Paper 000 §6.2: 5000 corrupted training and 5000 clean validation images (test: the 10,000 test images).</summary>
    public static HyperCleaningSizes Paper000 => new(5_000, 5_000, 10_000);

    /// <summary>The bundled MNIST images split 6000 / 2000 / 2000.</summary>
    public static HyperCleaningSizes BundledMnist => new(6_000, 2_000, 2_000);

    public override string ToString() => $"{Train}/{Validation}/{Test}";
}

/// <summary>
/// Builds the hyper-cleaning data of the papers from the real images: pixels standardised with MNIST's mean and
/// standard deviation (0.1307, 0.3081; the reference code of papers 002 and 003), a seeded split, and exactly ⌊p·n⌉
/// training labels changed to a different class ((y + U{1..9}) mod 10, the reference code's corruption). The image
/// files are read once per process.
/// </summary>
public static class HyperCleaningSetups
{
    private static readonly Lazy<(LabeledImageSet Train, LabeledImageSet Test)> FashionMnist = new(() =>
    {
        var train = MnistFamily.LoadFashionMnistTrain();
        var test = MnistFamily.LoadFashionMnistTest();
        PixelNormalization.StandardizeMnist(train.Pixels);
        PixelNormalization.StandardizeMnist(test.Pixels);
        return (train, test);
    });

    private static readonly Lazy<LabeledImageSet> Mnist = new(() =>
    {
        var images = MnistFamily.LoadMnistTest();
        PixelNormalization.StandardizeMnist(images.Pixels);
        return images;
    });

    /// <summary>The default split sizes of <paramref name="dataset"/>: paper 002's for Fashion-MNIST, 6000/2000/2000 for the bundled MNIST.</summary>
    public static HyperCleaningSizes DefaultSizes(HyperCleaningDataset dataset) =>
        dataset == HyperCleaningDataset.Mnist ? HyperCleaningSizes.BundledMnist : HyperCleaningSizes.Paper002;

    /// <summary>
    /// The data: <paramref name="sizes"/> split with <paramref name="seed"/> (Fashion-MNIST: training and validation
    /// drawn from the training file, test from the first <c>sizes.Test</c> of a seeded permutation of the test file;
    /// MNIST: three disjoint parts of the 10,000 bundled images), corruption rate <paramref name="corruptionRate"/>.
    /// </summary>
    /// <exception cref="DatasetNotFoundException">The image files are not installed.</exception>
    /// <exception cref="ArgumentException">The sizes do not fit the data set.</exception>
    public static HyperCleaningData Create(HyperCleaningDataset dataset, HyperCleaningSizes sizes, double corruptionRate, int seed)
    {
        if (!(corruptionRate >= 0 && corruptionRate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(corruptionRate), corruptionRate, "the corruption rate p must lie in [0, 1)");
        }

        if (sizes.Train <= 0 || sizes.Validation <= 0 || sizes.Test <= 0)
        {
            throw new ArgumentException($"split sizes {sizes} must all be positive", nameof(sizes));
        }

        if (dataset == HyperCleaningDataset.Mnist)
        {
            var images = Mnist.Value;
            if (sizes.Train + sizes.Validation + sizes.Test > images.Count)
            {
                throw new ArgumentException($"MNIST splits {sizes} need {sizes.Train + sizes.Validation + sizes.Test} images, only {images.Count} are bundled", nameof(sizes));
            }

            return HyperCleaningData.Create("MNIST", images, sizes.Train, sizes.Validation, sizes.Test, corruptionRate, CorruptionMode.ExactCount, seed);
        }

        var (train, test) = FashionMnist.Value;
        if (sizes.Train + sizes.Validation > train.Count || sizes.Test > test.Count)
        {
            throw new ArgumentException($"Fashion-MNIST splits {sizes} do not fit {train.Count} training and {test.Count} test images", nameof(sizes));
        }

        var parts = Splits.Shuffled(train.Count, [sizes.Train, sizes.Validation], seed);
        var testIndices = Splits.Shuffled(test.Count, [sizes.Test], SeedStreams.Derive(seed, 91))[0];
        Array.Sort(testIndices);
        return HyperCleaningData.Create("Fashion-MNIST", train, parts[0], train, parts[1], test, testIndices, corruptionRate, CorruptionMode.ExactCount, seed);
    }
}
