using System.Text;
using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class BlitzerReaderTests
{
    private static readonly Lazy<BlitzerDataset> Bundled = new(() => BlitzerReader.Read(TextTestData.Path("amazon-reviews/blitzer-sorted-data-acl.tar.gz")));

    [Fact]
    public void Read_BundledArchive_FourDomainsWith1000PerLabel()
    {
        var data = Bundled.Value;
        Assert.Equal(["books", "dvd", "electronics", "kitchen"], data.Domains);
        Assert.Equal(8000, data.Reviews.Count);
        foreach (var domain in data.Domains)
        {
            Assert.Equal(1000, data.Count(domain, 1));
            Assert.Equal(1000, data.Count(domain, 0));
        }

        // The bundled files are valid UTF-8 (their odd bytes are already U+FFFD and SUB characters).
        Assert.Equal(0, data.Latin1Reviews);
    }

    [Fact]
    public void Read_BundledArchive_RatingsAgreeWithLabels()
    {
        var data = Bundled.Value;
        Assert.All(data.Reviews, r => Assert.True(r.Label == 1 ? r.Rating >= 4 : r.Rating <= 2, $"{r.Domain} label {r.Label} rating {r.Rating}"));
        Assert.Equal(538, data.Reviews.Count(r => r.Domain == "books" && r.Rating == 1.0));
        Assert.Equal(731, data.Reviews.Count(r => r.Domain == "books" && r.Rating == 5.0));
    }

    [Fact]
    public void Read_BundledArchive_FirstReviewFields()
    {
        var data = Bundled.Value;
        var negative = data.Reviews[0];
        Assert.Equal(("books", 0, 1.0, "Horrible book, horrible."), (negative.Domain, negative.Label, negative.Rating, negative.Title));
        Assert.StartsWith("THis book was horrible.  If it was possible to rate it lower than one star", negative.Text, StringComparison.Ordinal);
        Assert.Equal(533, negative.Text.Length);
        var positive = data.Reviews.First(r => r.Domain == "books" && r.Label == 1);
        Assert.Equal(("One of the best Crichton novels", 5.0, 1139), (positive.Title, positive.Rating, positive.Text.Length));
        Assert.StartsWith("Sphere by Michael Crichton is an excellant novel.", positive.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonUtf8Review_DecodedAsLatin1PerReview()
    {
        using var temp = new TempFolder();
        var utf8 = Review("4.0", "caf\u00e9 good", "T1");
        var latin1 = Encoding.Latin1.GetBytes(Review("5.0", "na\u00efve <b>ok</b> & fine", "T2"));
        temp.Write("sorted_data_acl/toys/positive.review", [.. Encoding.UTF8.GetBytes("<reviews>\n" + utf8), .. latin1]);
        temp.Write("sorted_data_acl/toys/negative.review", Review("1.0", "bad", "T3"));
        temp.Write("sorted_data_acl/toys/unlabeled.review", "ignored");
        var data = BlitzerReader.Read(temp.Root);
        Assert.Equal(
            [new BlitzerReview("toys", "bad", 0, 1.0, "T3"), new BlitzerReview("toys", "caf\u00e9 good", 1, 4.0, "T1"), new BlitzerReview("toys", "na\u00efve <b>ok</b> & fine", 1, 5.0, "T2")],
            data.Reviews);
        Assert.Equal(1, data.Latin1Reviews);
    }

    [Theory]
    [InlineData("<review>\n<rating>\n5.0\n</rating>\n<review_text>x</review_text>\n", "review 1 (byte 0) has no closing </review>")]
    [InlineData("<review>\n<review_text>x</review_text>\n</review>\n", "review 1 (byte 0) has no <rating>")]
    [InlineData("<review>\n<rating>\nfive\n</rating>\n<review_text>x</review_text>\n</review>\n", "review 1 (byte 0): rating 'five' is not a number in [1, 5]")]
    [InlineData("<review>\n<rating>\n7.0\n</rating>\n<review_text>x</review_text>\n</review>\n", "review 1 (byte 0): rating '7.0' is not a number in [1, 5]")]
    [InlineData("<review>\n<rating>\n5.0\n</rating>\n</review>\n", "review 1 (byte 0) has no <review_text>")]
    [InlineData("<review>\n<rating>\n5.0\n</rating>\n<review_text>x\n</review>\n", "review 1 (byte 0) has <review_text> without </review_text>")]
    [InlineData("just text\n", "no <review> found")]
    [InlineData("", "file is empty")]
    public void Read_MalformedFile_ThrowsWithFileAndReview(string content, string expectedSuffix)
    {
        using var temp = new TempFolder();
        temp.Write("books/positive.review", content);
        var ex = Assert.Throws<InvalidDataException>(() => BlitzerReader.Read(temp.Root));
        Assert.Equal($"{temp.Root}:books/positive.review: {expectedSuffix}", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_SecondReviewUnterminated_NamesReviewTwoAndItsOffset()
    {
        using var temp = new TempFolder();
        var first = Review("5.0", "fine", "t");
        temp.Write("books/positive.review", first + "<review>\n<rating>\n4.0\n</rating>\n" + Review("4.0", "next", "t"));
        var ex = Assert.Throws<InvalidDataException>(() => BlitzerReader.Read(temp.Root));
        Assert.Equal($"{temp.Root}:books/positive.review: review 2 (byte {Encoding.UTF8.GetByteCount(first)}) has no closing </review>", TextTestData.OneLine(ex));
    }

    private static string Review(string rating, string text, string title) =>
        $"<review>\n<unique_id>\nid\n</unique_id>\n<rating>\n{rating}\n</rating>\n<title>\n{title}\n</title>\n<review_text>\n{text}\n</review_text>\n</review>\n";
}
