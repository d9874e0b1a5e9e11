using System.Text;
using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class Sentiment140ReaderTests
{
    [Theory]
    [InlineData("testdata.manual.2009.06.14.csv", 498, 177, 139, 182)]
    [InlineData("train-random10k.csv", 10001, 5005, 0, 4996)]
    [InlineData("train-head10k-tail10k.csv", 20000, 9999, 0, 10001)]
    public void Read_BundledFile_RowAndPolarityCounts(string file, int rows, int negative, int neutral, int positive)
    {
        var tweets = Sentiment140Reader.Read(TextTestData.Path("sentiment140/" + file));
        Assert.Equal(rows, tweets.Count);
        Assert.Equal(negative, tweets.Count(t => t.Polarity == SentimentPolarity.Negative));
        Assert.Equal(neutral, tweets.Count(t => t.Polarity == SentimentPolarity.Neutral));
        Assert.Equal(positive, tweets.Count(t => t.Polarity == SentimentPolarity.Positive));
    }

    [Fact]
    public void Read_BundledFiles_FirstRowsAndSharedIds()
    {
        var test = Sentiment140Reader.Read(TextTestData.Path("sentiment140/testdata.manual.2009.06.14.csv"));
        Assert.Equal(
            new Sentiment140Tweet(SentimentPolarity.Positive, 3, "Mon May 11 03:17:40 UTC 2009", "kindle2", "tpryan",
                "@stellargirl I loooooooovvvvvveee my Kindle2. Not that the DX is cool, but the 2 is fantastic in its own right."),
            test[0]);
        Assert.Equal(1, test[0].BinaryLabel);
        var random = Sentiment140Reader.Read(TextTestData.Path("sentiment140/train-random10k.csv"));
        var headTail = Sentiment140Reader.Read(TextTestData.Path("sentiment140/train-head10k-tail10k.csv"));
        // train-random10k.csv is CRLF-terminated and partly unquoted; both start with the 1.6M file's first row.
        Assert.Equal(headTail[0], random[0]);
        Assert.Equal("@switchfoot http://twitpic.com/2y1zl - Awww, that's a bummer.  You shoulda got David Carr of Third Day to do it. ;D", random[0].Text);
        Assert.Equal(0, random[0].BinaryLabel);
        Assert.Equal(117, random.Select(t => t.Id).Intersect(headTail.Select(t => t.Id)).Count());
    }

    [Fact]
    public void Read_QuotedFields_CommasDoubledQuotesNewlinesAndLatin1()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("\"0\",\"1\",\"d\",\"q\",\"u\",\"a, b \"\"c\"\" d\"\r\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("4,2,d,NO_QUERY,u2,say \"hi\" there\n\n"));
        bytes.AddRange(Encoding.UTF8.GetBytes("2,3,d,q,u3,\"two\nlines\"\n"));
        bytes.AddRange(Encoding.Latin1.GetBytes("0,4,d,q,u4,caf\u00e9 \u00e0 la carte"));
        var tweets = Sentiment140Reader.Read(new MemoryStream([.. bytes]), "mem.csv");
        Assert.Equal(4, tweets.Count);
        Assert.Equal("a, b \"c\" d", tweets[0].Text);
        Assert.Equal("say \"hi\" there", tweets[1].Text);
        Assert.Equal(("NO_QUERY", "u2", SentimentPolarity.Positive), (tweets[1].Query, tweets[1].User, tweets[1].Polarity));
        Assert.Equal("two\nlines", tweets[2].Text);
        Assert.Null(tweets[2].BinaryLabel);
        Assert.Equal("caf\u00e9 \u00e0 la carte", tweets[3].Text);
    }

    [Theory]
    [InlineData("0,1,d,q,u,ok\n0,2,d,q,u,\"never closed\n0,3,d,q,u,x\n", "mem.csv: line 2: unterminated quoted field 6 (quote opened on line 2)")]
    [InlineData("0,1,d,q,u,ok\n0,2,d,q,u\n", "mem.csv: line 2: expected 6 fields (polarity,id,date,query,user,text), found 5")]
    [InlineData("0,1,d,q,u,text, with comma\n", "mem.csv: line 1: expected 6 fields (polarity,id,date,query,user,text), found 7")]
    [InlineData("0,1,d,q,u,ok\r\n\r\n3,2,d,q,u,x\r\n", "mem.csv: line 3: polarity '3' is not 0, 2 or 4")]
    [InlineData("positive,1,d,q,u,x\n", "mem.csv: line 1: polarity 'positive' is not 0, 2 or 4")]
    [InlineData("0,12a,d,q,u,x\n", "mem.csv: line 1: id '12a' is not a non-negative integer")]
    [InlineData("0,1,d,q,\"u\"x,text\n", "mem.csv: line 1: unexpected character 'x' after the closing quote of field 5")]
    [InlineData("", "mem.csv: file is empty")]
    [InlineData("\n\r\n\n", "mem.csv: no rows (only blank lines)")]
    public void Read_MalformedCsv_ThrowsWithLine(string content, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Sentiment140Reader.Read(new MemoryStream(Encoding.UTF8.GetBytes(content)), "mem.csv"));
        Assert.Equal(expected, TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_MultilineFieldBeforeError_ReportsPhysicalLine()
    {
        var content = "0,1,d,q,u,\"a\nb\nc\"\n0,2,d,q,u\n";
        var ex = Assert.Throws<InvalidDataException>(() => Sentiment140Reader.Read(new MemoryStream(Encoding.UTF8.GetBytes(content)), "mem.csv"));
        Assert.Equal("mem.csv: line 4: expected 6 fields (polarity,id,date,query,user,text), found 5", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_FileErrors_NameThePath()
    {
        using var temp = new TempFolder();
        var path = temp.Write("bad.csv", "0,1,d,q,u,x\n9,2,d,q,u,y\n");
        var ex = Assert.Throws<InvalidDataException>(() => Sentiment140Reader.Read(path));
        Assert.Equal($"{path}: line 2: polarity '9' is not 0, 2 or 4", TextTestData.OneLine(ex));
        var missing = Path.Combine(temp.Root, "missing.csv");
        var notFound = Assert.Throws<FileNotFoundException>(() => Sentiment140Reader.Read(missing));
        Assert.Equal($"{missing}: no such file", notFound.Message);
    }
}
