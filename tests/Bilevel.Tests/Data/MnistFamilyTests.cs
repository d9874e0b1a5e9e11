using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using Bilevel.Data;
using Xunit.Abstractions;

namespace Bilevel.Tests.Data;

/// <summary>The real files: the bundled MNIST test set and Fashion-MNIST as installed by environment/setup.</summary>
public sealed class MnistFamilyTests(ITestOutputHelper output)
{
    // MNIST test-set digit counts (LeCun et al.), 0…9.
    private static readonly int[] MnistTestHistogram = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

#pragma warning disable CA5351 // MD5 identifies files here (the checksums data/README.md publishes); no security use.
    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351

    private static byte[] Decompressed(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    [Fact]
    public void LoadMnistTest_Bundled_TenThousand28x28WithKnownHistogram()
    {
        var watch = Stopwatch.StartNew();
        var set = MnistFamily.LoadMnistTest();
        watch.Stop();
        output.WriteLine($"MNIST test: {set.Count} images {set.Rows}×{set.Columns} loaded in {watch.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal((10_000, 28, 28, 10), (set.Count, set.Rows, set.Columns, set.ClassCount));
        Assert.Equal(10_000 * 784, set.Pixels.Length);
        var histogram = set.LabelHistogram();
        Assert.Equal(MnistTestHistogram, histogram);
        Assert.Equal(10_000, histogram.Sum());
        Assert.Equal(7, set.Labels[0]); // the first test digit is a 7
        Assert.Equal(2, set.Labels[1]);
        Assert.Equal(1, set.Labels[2]);

        var (mean, std) = PixelNormalization.MeanStd(set.Pixels);
        output.WriteLine($"MNIST test pixel mean {mean:F5}, std {std:F5}");
        Assert.InRange(mean, 0.1320, 0.1330); // published 0.1325 / 0.3105 for the test set
        Assert.InRange(std, 0.3100, 0.3110);
        float min = float.MaxValue, max = float.MinValue;
        foreach (var p in set.Pixels)
        {
            min = Math.Min(min, p);
            max = Math.Max(max, p);
        }

        Assert.Equal((0f, 1f), (min, max));
    }

    [Fact]
    public void MnistTestFiles_Md5_MatchCatalogAndDataReadme()
    {
        var locator = DataLocator.FromEnvironment();
        var readme = File.ReadAllText(Path.Combine(locator.RepositoryDataFolder!, "README.md"));
        foreach (var file in DatasetCatalog.MnistTest.Files)
        {
            var path = locator.Resolve(file.RelativePath);

            Assert.Equal(file.FileMd5, Md5(File.ReadAllBytes(path)));
            Assert.Contains($"{file.FileMd5}  ./{file.RelativePath}", readme, StringComparison.Ordinal);
            Assert.Equal(file.ContentMd5, Md5(Decompressed(path)));
        }
    }

    [Fact]
    public void FashionMnistFiles_ContentMd5_MatchCatalog()
    {
        var locator = DataLocator.FromEnvironment();
        foreach (var dataset in new[] { DatasetCatalog.FashionMnistTrain, DatasetCatalog.FashionMnistTest })
        {
            foreach (var file in dataset.Files)
            {
                Assert.Equal(file.ContentMd5, Md5(Decompressed(locator.Resolve(file.RelativePath))));
            }
        }
    }

    [Fact]
    public void LoadFashionMnist_Installed_60000And10000BalancedClasses()
    {
        var watch = Stopwatch.StartNew();
        var train = MnistFamily.LoadFashionMnistTrain();
        var trainMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var test = MnistFamily.LoadFashionMnistTest();
        var testMs = watch.Elapsed.TotalMilliseconds;
        output.WriteLine($"Fashion-MNIST train: {train.Count} in {trainMs:F0} ms; test: {test.Count} in {testMs:F0} ms");

        Assert.Equal((60_000, 28, 28), (train.Count, train.Rows, train.Columns));
        Assert.Equal((10_000, 28, 28), (test.Count, test.Rows, test.Columns));
        Assert.All(train.LabelHistogram(), c => Assert.Equal(6_000, c));
        Assert.All(test.LabelHistogram(), c => Assert.Equal(1_000, c));
        Assert.Equal(9, train.Labels[0]); // the first training item is an ankle boot (class 9)
        Assert.Equal(9, test.Labels[0]);

        var (mean, std) = PixelNormalization.MeanStd(train.Pixels);
        output.WriteLine($"Fashion-MNIST train pixel mean {mean:F5}, std {std:F5}");
        Assert.InRange(mean, 0.2855, 0.2865); // published 0.2860 / 0.3530
        Assert.InRange(std, 0.3525, 0.3535);
    }

    [Fact]
    public void Catalog_ExpectedCounts_MatchLoadedFiles()
    {
        Assert.Equal(10_000, DatasetCatalog.MnistTest.File(DatasetFileKind.Images).ExpectedCount);
        Assert.Equal(60_000, DatasetCatalog.FashionMnistTrain.File(DatasetFileKind.Labels).ExpectedCount);
        Assert.Equal(10_000, DatasetCatalog.FashionMnistTest.File(DatasetFileKind.Images).ExpectedCount);
        Assert.Equal(["mnist-test", "fashion-mnist-train", "fashion-mnist-test"], DatasetCatalog.All.Select(d => d.Name));
        Assert.Same(DatasetCatalog.FashionMnistTrain, DatasetCatalog.Find("Fashion-MNIST-Train"));

        var ex = Assert.Throws<ArgumentException>(() => DatasetCatalog.Find("cifar10"));
        Assert.StartsWith("unknown dataset 'cifar10'; known: mnist-test, fashion-mnist-train, fashion-mnist-test", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CatalogCountDiffers_Throws()
    {
        using var files = new IdxTestFiles();
        files.Write("mnist/t10k-images-idx3-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.UnsignedBytes(new byte[2 * 784], 2, 28, 28)));
        files.Write("mnist/t10k-labels-idx1-ubyte.gz", IdxTestFiles.Gzip(IdxTestFiles.UnsignedBytes([4, 2], 2)));
        var locator = new DataLocator(files.Folder, repositoryDataFolder: null);

        var ex = Assert.Throws<InvalidDataException>(() => MnistFamily.LoadMnistTest(locator));

        Assert.EndsWith("holds 2 items but the catalog entry 'mnist-test' expects 10000", ex.Message, StringComparison.Ordinal);
    }
}
