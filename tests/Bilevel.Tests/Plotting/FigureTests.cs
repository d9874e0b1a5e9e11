using System.Text.Json;
using Bilevel.Interactive;
using Bilevel.Plotting;

namespace Bilevel.Tests.Plotting;

public sealed class FigureTests
{
    private static readonly double[] X = [1, 10, 100];
    private static readonly double[] Y = [1, 0.1, 0.01];

    [Fact]
    public void ToJson_LogAxesAndLine_FollowsPlotlySchema()
    {
        var figure = new Figure("errors");
        figure.XAxis().Type = AxisType.Log;
        figure.YAxis().Type = AxisType.Log;
        figure.YAxis().Title = "error";
        figure.AddLine("FSLA", X, Y);
        using var json = JsonDocument.Parse(figure.ToJson());
        var root = json.RootElement;
        var trace = root.GetProperty("data")[0];
        Assert.Equal("scatter", trace.GetProperty("type").GetString());
        Assert.Equal("FSLA", trace.GetProperty("name").GetString());
        Assert.Equal(0.01, trace.GetProperty("y")[2].GetDouble());
        Assert.Equal("log", root.GetProperty("layout").GetProperty("xaxis").GetProperty("type").GetString());
        Assert.Equal("error", root.GetProperty("layout").GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("errors", root.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void AddBand_FillsBetweenEdgesInTheCurvesLegendGroup()
    {
        var figure = new Figure();
        figure.AddBand("NS", X, Y, [0.5, 0.05, 0.005], [2, 0.2, 0.02]);
        using var json = JsonDocument.Parse(figure.ToJson());
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
        Assert.Equal("tonexty", data[1].GetProperty("fill").GetString());
        Assert.False(data[0].GetProperty("showlegend").GetBoolean());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("NS", data[i].GetProperty("legendgroup").GetString());
        }

        Assert.True(data[2].GetProperty("showlegend").GetBoolean());
    }

    [Fact]
    public void ToJson_NonFiniteValues_BecomeNullGaps()
    {
        var figure = new Figure();
        figure.AddLine("gap", X, [1, double.NaN, double.PositiveInfinity]);
        using var json = JsonDocument.Parse(figure.ToJson());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("data")[0].GetProperty("y")[1].ValueKind);
    }

    [Fact]
    public void ToJson_Subplots_UseNumberedAxesWithDisjointDomains()
    {
        var figure = new Figure("grid", rows: 1, columns: 2);
        figure.AddLine("a", X, Y, row: 1, column: 1);
        figure.AddLine("b", X, Y, row: 1, column: 2);
        figure.SubplotTitle(1, 2, "right");
        using var json = JsonDocument.Parse(figure.ToJson());
        var layout = json.RootElement.GetProperty("layout");
        Assert.Equal("x2", json.RootElement.GetProperty("data")[1].GetProperty("xaxis").GetString());
        var left = layout.GetProperty("xaxis").GetProperty("domain")[1].GetDouble();
        var right = layout.GetProperty("xaxis2").GetProperty("domain")[0].GetDouble();
        Assert.True(left < right, $"{left} < {right}");
        Assert.Equal("right", layout.GetProperty("annotations")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void Add_OutsideGrid_ThrowsNamingTheSubplot()
    {
        var figure = new Figure(rows: 1, columns: 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => figure.AddLine("a", X, Y, row: 2));
        Assert.Contains("subplot (2, 1) is outside the 1 × 1 grid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScatterTrace_MismatchedLengths_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new ScatterTrace("t", X, [1.0]));
        Assert.Equal("trace 't': x has 3 points but y has 1", error.Message);
    }

    [Fact]
    public void ToMimeBundle_CarriesPlotlyJsonHtmlAndText()
    {
        var figure = new Figure("t");
        figure.AddLine("a", X, Y);
        var bundle = figure.ToMimeBundle();
        using var plotly = JsonDocument.Parse(bundle.Data[MimeBundle.Plotly]);
        Assert.Equal(1, plotly.RootElement.GetProperty("data").GetArrayLength());
        Assert.Contains("Plotly.newPlot", bundle.Data[MimeBundle.Html], StringComparison.Ordinal);
        Assert.Equal("Figure \"t\": 1 curves (a); x: x, y: y", bundle.ToString());
        Assert.True(MimeBundle.IsJsonMimeType(MimeBundle.Plotly));
        Assert.False(MimeBundle.IsJsonMimeType(MimeBundle.Html));
    }

    [Fact]
    public void SaveHtml_WritesStandalonePageWithPlotlyInline()
    {
        Assert.True(PlotlyHtml.FindScript() is not null, "plotly.js is not installed: run environment/setup");
        var path = Path.Combine(Path.GetTempPath(), $"figure-{Guid.NewGuid():N}.html");
        try
        {
            var figure = new Figure("t");
            figure.AddLine("a", X, Y);
            figure.SaveHtml(path);
            var html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
            Assert.True(html.Length > 1_000_000, "plotly.js is embedded");
            Assert.DoesNotContain("<script src=", html, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FormatterSource_FollowsDotNetInteractiveConvention()
    {
        var attribute = typeof(Figure).GetCustomAttributes(false).Single(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        var sourceType = (Type)attribute.GetType().GetProperty("FormatterSourceType")!.GetValue(attribute)!;
        var source = Activator.CreateInstance(sourceType, nonPublic: true)!;
        var formatters = ((IEnumerable<object>)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!).ToList();
        var html = formatters.Single(f => (string)f.GetType().GetProperty("MimeType")!.GetValue(f)! == MimeBundle.Html);
        using var writer = new StringWriter();
        var figure = new Figure("t");
        var ok = (bool)html.GetType().GetMethod("Format")!.Invoke(html, [figure, writer])!;
        Assert.True(ok);
        Assert.Contains("Plotly.newPlot", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SavePng_WithChromiumOrWithout_RendersOrSaysWhatIsMissing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"figure-{Guid.NewGuid():N}.png");
        var figure = new Figure("t") { Width = 400, Height = 300 };
        figure.AddLine("a", X, Y);
        try
        {
            if (ChromiumRenderer.Find() is null)
            {
                var error = Assert.Throws<InvalidOperationException>(() => figure.SavePng(path));
                Assert.StartsWith("SavePng needs Chromium, which is not installed", error.Message, StringComparison.Ordinal);
                return;
            }

            figure.SavePng(path);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
            Assert.Equal(400, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
            Assert.Equal(300, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
