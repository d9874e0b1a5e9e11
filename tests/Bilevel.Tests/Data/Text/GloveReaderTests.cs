using System.Text;
using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class GloveReaderTests
{
    [Fact]
    public void Read_Bundled50d_5050By50()
    {
        var glove = GloveReader.Read(TextTestData.Path("glove/glove.6B.50d.top5050.txt"));
        Assert.Equal((5050, 50, 0), (glove.Count, glove.Dimension, glove.DuplicateWords));
        Assert.Equal(5050 * 50, glove.Values.Length);
        Assert.Equal("the", glove.Words[0]);
        Assert.Equal([0.418, 0.24968, -0.41242], glove.Vector("the")[..3].ToArray());
        Assert.Equal("madam", glove.Words[^1]);
        Assert.Equal(-0.25697, glove.Vector("madam")[0]);
        Assert.Equal(0.53837, glove.Vector("madam")[49]);
        Assert.Equal(-1, glove.IndexOf("The"));
    }

    [Fact]
    public void Read_Bundled100d_2604By100()
    {
        var glove = GloveReader.Read(TextTestData.Path("glove/glove.6B.100d.top2604.txt"));
        Assert.Equal((2604, 100), (glove.Count, glove.Dimension));
        Assert.Equal(-0.038194, glove.Vector(0)[0]);
        Assert.Equal("corner", glove.Words[^1]);
        Assert.Equal(0.037717, glove.Vector("corner")[99]);
    }

    [Fact]
    public void Read_WithKeepFilter_OnlyKeptRows()
    {
        var glove = GloveReader.Read(TextTestData.Path("glove/glove.6B.50d.top5050.txt"), w => w is "the" or "madam" or "zzzz");
        Assert.Equal(["the", "madam"], glove.Words);
        Assert.Equal(0.418, glove.Vector(0)[0]);
        Assert.Equal(-0.25697, glove.Vector(1)[0]);
    }

    [Fact]
    public void Read_SmallFile_CrlfBomSpacesInWordDuplicates()
    {
        using var temp = new TempFolder();
        var path = temp.Write("g.txt", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("a 1 2 3\r\n. . . -1e-3 0.5 7 \nb 4 5 6\na 9 9 9\nü 0 0 1")]);
        var glove = GloveReader.Read(path);
        Assert.Equal(["a", ". . .", "b", "ü"], glove.Words);
        Assert.Equal([1.0, 2, 3, -0.001, 0.5, 7, 4, 5, 6, 0, 0, 1], glove.Values);
        Assert.Equal(1, glove.DuplicateWords);
    }

    [Theory]
    [InlineData("a 1 2 3\nb 1 2\n", null, "line 2: found 2 values after the word, expected 3")]
    [InlineData("a 1 2 3\nb 1 2 3 4\n", null, "line 2: found 4 values after the word, expected 3")]
    [InlineData("a 1 2 3\nb 1 x 3\n", null, "line 2: value 2 'x' is not a finite number")]
    [InlineData("a 1 2 3\nb 1 2 1,5\n", null, "line 2: value 3 '1,5' is not a finite number")]
    [InlineData("a 1 2 3\nb 1 NaN 3\n", null, "line 2: value 2 'NaN' is not a finite number")]
    [InlineData("a 1 2 3\n\nb 1 2 3\n", null, "line 2 is empty")]
    [InlineData("a 1 2 3\n", 4, "line 1: found 3 values after the word, expected 4")]
    [InlineData("lonely\n", null, "line 1 has a word but no values")]
    [InlineData("", null, "file is empty")]
    public void Read_Malformed_ThrowsWithFileAndLine(string content, int? dimension, string expectedSuffix)
    {
        using var temp = new TempFolder();
        var path = temp.Write("g.txt", content);
        var ex = Assert.Throws<InvalidDataException>(() => GloveReader.Read(path, dimension: dimension));
        Assert.Equal($"{path}: {expectedSuffix}", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.txt");
        var ex = Assert.Throws<FileNotFoundException>(() => GloveReader.Read(path));
        Assert.Equal($"{path}: no such file", ex.Message);
    }
}
