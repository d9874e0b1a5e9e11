using Bilevel.Interactive;

namespace Bilevel.Tests.Interactive;

public sealed class ResultTableTests
{
    [Fact]
    public void ToMimeBundle_Cells_EncodedInHtmlAndAlignedInText()
    {
        var table = new ResultTable("t", ["method", "loss"], [["a<b", "0.5"], ["long name", "12"]]);
        var bundle = table.ToMimeBundle();
        Assert.Contains("a&lt;b", bundle.Data[MimeBundle.Html], StringComparison.Ordinal);
        var lines = table.ToText().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Equal(lines[1].Length, lines[2].Length);
    }

    [Fact]
    public void Constructor_RowWithWrongCellCount_ThrowsNamingTheTable()
    {
        var error = Assert.Throws<ArgumentException>(() => new ResultTable("summary", ["a", "b"], [["1"]]));
        Assert.Contains("table 'summary'", error.Message, StringComparison.Ordinal);
    }
}
