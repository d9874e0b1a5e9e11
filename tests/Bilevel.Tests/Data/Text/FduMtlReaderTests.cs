using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class FduMtlReaderTests
{
    // Measured on data/amazon-reviews/fdu-mtl.tar.gz: train, test, unlabel lines per domain.
    public static TheoryData<string, int, int, int> BundledCounts => new()
    {
        { "MR", 1600, 400, 2000 },
        { "apparel", 1600, 400, 2000 },
        { "baby", 1500, 400, 2000 },
        { "books", 1600, 400, 2000 },
        { "camera_photo", 1597, 400, 2000 },
        { "dvd", 1600, 400, 2000 },
        { "electronics", 1598, 400, 2000 },
        { "health_personal_care", 1600, 400, 2000 },
        { "imdb", 1600, 400, 2000 },
        { "kitchen_housewares", 1600, 400, 2000 },
        { "magazines", 1570, 400, 2000 },
        { "music", 1600, 400, 2000 },
        { "software", 1515, 400, 475 },
        { "sports_outdoors", 1600, 400, 2000 },
        { "toys_games", 1600, 400, 2000 },
        { "video", 1600, 400, 2000 },
    };

    [Fact]
    public void Read_BundledArchive_Has16DomainsAnd62255Reviews()
    {
        var data = TextTestData.FduMtl;
        Assert.Equal(16, data.Domains.Count);
        Assert.Equal(14, data.AmazonDomains.Count);
        Assert.DoesNotContain("imdb", data.AmazonDomains);
        Assert.DoesNotContain("MR", data.AmazonDomains);
        Assert.Equal(62255, data.Reviews.Count);
        Assert.Equal(70, data.Latin1Lines); // MR: 31 + 6 + 32 lines, dvd.task.train: 1 line
    }

    [Theory]
    [MemberData(nameof(BundledCounts))]
    public void Read_BundledArchive_DomainCountsMatch(string domain, int train, int test, int unlabeled)
    {
        var data = TextTestData.FduMtl;
        Assert.Equal(train, data.Count(domain, FduMtlSplit.Train));
        Assert.Equal(test, data.Count(domain, FduMtlSplit.Test));
        Assert.Equal(unlabeled, data.Count(domain, FduMtlSplit.Unlabeled));
    }

    [Fact]
    public void Read_BundledArchive_FirstLinesAndLabels()
    {
        var data = TextTestData.FduMtl;
        var apparel = data.Reviews.Where(r => r.Domain == "apparel").ToList();
        Assert.Equal(FduMtlSplit.Train, apparel[0].Split);
        Assert.Equal(0, apparel[0].Label);
        Assert.StartsWith("i ordered a pair for my husband and was very disappointed , the 11 medium", apparel[0].Text, StringComparison.Ordinal);
        Assert.Equal(1, apparel[1].Label);
        Assert.Equal("love hush puppies . they are comfortable and i can get a heel low enough for me to be comfortable", apparel[1].Text);
        var unlabeled = apparel.First(r => r.Split == FduMtlSplit.Unlabeled);
        Assert.Null(unlabeled.Label);
        Assert.StartsWith("My son is now over 12lbs at 6 weeks", unlabeled.Text, StringComparison.Ordinal);
        Assert.All(data.Reviews.Where(r => r.Split != FduMtlSplit.Unlabeled), r => Assert.True(r.Label is 0 or 1));
        // The one labelled line with empty text (sports_outdoors.task.train line 1121: "0\t").
        var empty = Assert.Single(data.Reviews, r => r.Text.Length == 0);
        Assert.Equal(("sports_outdoors", FduMtlSplit.Train, 0), (empty.Domain, empty.Split, empty.Label!.Value));
    }

    [Fact]
    public void Read_BundledArchive_Latin1LineDecodedAsEAcute()
    {
        var mr = TextTestData.FduMtl.Reviews.Where(r => r.Domain == "MR" && r.Split == FduMtlSplit.Train).ToList();
        // MR.task.train line 28 holds byte 0xE9 in "clich\xE9s".
        Assert.Contains("clichés", mr[27].Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', mr[27].Text);
    }

    [Fact]
    public void Read_FolderAndArchive_GiveSameReviews()
    {
        using var temp = new TempFolder();
        var files = new (string, byte[])[]
        {
            ("a.task.train", TextTestData.Utf8("1\tgood one\r\n0\tbad one\n")),
            ("a.task.test", TextTestData.Utf8("0\tmeh")),
            ("a.task.unlabel", TextTestData.Utf8("no label here\n")),
            ("readme.txt", TextTestData.Utf8("ignored")),
        };
        foreach (var (name, data) in files)
        {
            temp.Write(Path.Combine("folder", name), data);
        }

        var archive = temp.Write("x.tar.gz", TextTestData.TarGz([.. files.Select(f => ("mtl/" + f.Item1, f.Item2))]));
        var fromFolder = FduMtlReader.Read(Path.Combine(temp.Root, "folder"));
        var fromArchive = FduMtlReader.Read(archive);
        FduMtlReview[] expected =
        [
            new("a", FduMtlSplit.Train, "good one", 1),
            new("a", FduMtlSplit.Train, "bad one", 0),
            new("a", FduMtlSplit.Test, "meh", 0),
            new("a", FduMtlSplit.Unlabeled, "no label here", null),
        ];
        Assert.Equal(expected, fromFolder.Reviews);
        Assert.Equal(expected, fromArchive.Reviews);
    }

    [Theory]
    [InlineData("1\tok\n2\tbad label\n", "a.task.train: line 2: label '2' is not 0 or 1")]
    [InlineData("1\tok\npositive\tword label\n", "a.task.train: line 2: label 'positive' is not 0 or 1")]
    [InlineData("1\tok\nno tab at all\n", "a.task.train: line 2 has no tab between label and text")]
    [InlineData("1\tok\n\n0\tafter blank\n", "a.task.train: line 2 is empty")]
    [InlineData("", "a.task.train: file is empty")]
    public void Read_MalformedTrainFile_ThrowsWithFileAndLine(string content, string expectedSuffix)
    {
        using var temp = new TempFolder();
        temp.Write("a.task.train", content);
        var ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(temp.Root));
        Assert.Equal($"{temp.Root}:{expectedSuffix}", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_FolderWithoutTaskFiles_Throws()
    {
        using var temp = new TempFolder();
        temp.Write("notes.txt", "nothing");
        var ex = Assert.Throws<InvalidDataException>(() => FduMtlReader.Read(temp.Root));
        Assert.Equal($"{temp.Root}: no <domain>.task.{{train,test,unlabel}} files found", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_MissingPath_ThrowsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.tar.gz");
        var ex = Assert.Throws<FileNotFoundException>(() => FduMtlReader.Read(path));
        Assert.Equal($"{path}: no such file or folder", TextTestData.OneLine(ex));
    }
}
