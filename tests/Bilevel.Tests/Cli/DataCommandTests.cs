using System.Text.Json;

namespace Bilevel.Tests.Cli;

[Collection(ConsoleTests.Name)]
public sealed class DataCommandTests
{
    [Fact]
    public async Task DataList_Json_ReportsEveryBundledDatasetWithItsCounts()
    {
        var (code, output, error) = await CliHarness.RunAsync("data", "list", "--json");
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        var reports = document.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r);
        long Count(string dataset, string key)
        {
            Assert.True(reports[dataset].GetProperty("found").GetBoolean(), $"{dataset} not found");
            return reports[dataset].GetProperty("counts").GetProperty(key).GetInt64();
        }

        Assert.Equal(10_000, Count("MNIST (test images)", "images"));
        Assert.Equal(60_000, Count("Fashion-MNIST (train)", "images"));
        Assert.Equal(10_000, Count("Fashion-MNIST (test)", "images"));
        Assert.Equal(8, Count("Omniglot (background subsets)", "alphabets"));
        Assert.Equal(242, Count("Omniglot (background subsets)", "characters"));
        Assert.Equal(4_840, Count("Omniglot (background subsets)", "images"));
        Assert.Equal(20, Count("Omniglot (20 one-shot runs)", "runs"));
        Assert.Equal(14, Count("Amazon reviews, FDU-MTL", "amazon domains"));
        Assert.Equal(16, Count("Amazon reviews, FDU-MTL", "domains"));
        foreach (var domain in new[] { "books", "dvd", "electronics", "kitchen" })
        {
            Assert.Equal(1_000, Count("Amazon reviews, Blitzer et al. (sorted_data_acl)", $"{domain} positive"));
            Assert.Equal(1_000, Count("Amazon reviews, Blitzer et al. (sorted_data_acl)", $"{domain} negative"));
        }

        Assert.Equal(498, Count("Sentiment140 subsets", "testdata.manual.2009.06.14.csv"));
        Assert.Equal(10_001, Count("Sentiment140 subsets", "train-random10k.csv"));
        Assert.Equal(20_000, Count("Sentiment140 subsets", "train-head10k-tail10k.csv"));
        Assert.Equal(11_314, Count("20 Newsgroups (bydate)", "train"));
        Assert.Equal(7_532, Count("20 Newsgroups (bydate)", "test"));
        Assert.Equal(5_050, Count("GloVe glove.6B.50d.top5050.txt", "words"));
        Assert.Equal(50, Count("GloVe glove.6B.50d.top5050.txt", "dimension"));
        Assert.Equal(2_604, Count("GloVe glove.6B.100d.top2604.txt", "words"));
        Assert.Equal(100, Count("GloVe glove.6B.100d.top2604.txt", "dimension"));
    }

    [Fact]
    public async Task DataInspect_MnistLabels_PrintsCountsAndClassBalance()
    {
        var path = Path.Combine(Bilevel.Tests.Environment.ScriptTests.RepositoryRoot(), "data", "mnist", "t10k-labels-idx1-ubyte.gz");
        var (code, output, error) = await CliHarness.RunAsync("data", "inspect", path, "--json");
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(output);
        var counts = document.RootElement.GetProperty("counts");
        Assert.Equal(10_000, counts.GetProperty("items").GetInt64());
        Assert.Equal(1_135, counts.GetProperty("label 1").GetInt64());
    }

    public static TheoryData<string, string, string> MalformedFiles() => new()
    {
        { "bad.png", "png", "truncated chunk" },
        { "bad.csv", "csv", "unterminated quoted field" },
        { "bad-glove.txt", "glove", "line 2" },
        { "empty-idx3-ubyte", "empty", "empty file" },
        { "short-idx1-ubyte.gz", "idx-truncated", "missing" },
        { "corpus.tar.gz", "tar-truncated", "truncated" },
        { "not-a.zip", "zip", "" },
        { "unknown.bin", "unknown", "format not recognised" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public async Task DataInspect_MalformedFile_ExitsTwoWithOneLineNamingTheFile(string name, string kind, string expected)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"bilevel-malformed-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        try
        {
            var root = Bilevel.Tests.Environment.ScriptTests.RepositoryRoot();
            switch (kind)
            {
                case "png":
                    File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, .. "xxxxxxxxxxxxxxxx"u8.ToArray()]);
                    break;
                case "csv":
                    File.WriteAllText(path, "0,\"1,2\n");
                    break;
                case "glove":
                    File.WriteAllText(path, "the 0.1 0.2\nof 0.3\n");
                    break;
                case "empty":
                    File.WriteAllBytes(path, []);
                    break;
                case "idx-truncated":
                    File.WriteAllBytes(path, File.ReadAllBytes(Path.Combine(root, "data", "mnist", "t10k-labels-idx1-ubyte.gz"))[..3000]);
                    break;
                case "tar-truncated":
                    File.WriteAllBytes(path, File.ReadAllBytes(Path.Combine(root, "data", "20newsgroups", "20news-bydate.tar.gz"))[..100_000]);
                    break;
                case "zip":
                    File.WriteAllText(path, "PK this is not a zip archive");
                    break;
                default:
                    File.WriteAllBytes(path, [1, 2, 3]);
                    break;
            }

            var (code, output, error) = await CliHarness.RunAsync("data", "inspect", path);
            Assert.Equal(2, code);
            Assert.Empty(output);
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith("bilevel: ", lines[0], StringComparison.Ordinal);
            Assert.Contains(name, lines[0], StringComparison.Ordinal);
            Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task DataInspect_MissingPath_ExitsTwo()
    {
        var (code, _, error) = await CliHarness.RunAsync("data", "inspect", "/nonexistent/file.png");
        Assert.Equal(2, code);
        Assert.Equal("bilevel: /nonexistent/file.png: no such file or folder", error.Trim());
    }
}
