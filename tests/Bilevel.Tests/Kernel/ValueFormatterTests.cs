using Bilevel.Interactive;
using Bilevel.Kernel.Execution;

namespace Bilevel.Tests.Kernel;

public sealed class ValueFormatterTests
{
    [Fact]
    public void PlainText_Double_IsRoundTrip() => Assert.Equal("0.30000000000000004", ValueFormatter.PlainText(0.1 + 0.2));

    private static readonly double[] Values = [1.0, 2.5, 3.0];

    [Fact]
    public void PlainText_Array_ListsItems() => Assert.Equal("[1, 2.5, 3]", ValueFormatter.PlainText(Values));

    [Fact]
    public void Format_BundleSource_UsesItsBundle()
    {
        var bundle = ValueFormatter.Format(new Source());
        Assert.Equal("<b>x</b>", bundle.Data[MimeBundle.Html]);
    }

    [Fact]
    public void Format_ThrowingSource_GivesTextInsteadOfThrowing()
    {
        var bundle = ValueFormatter.Format(new Broken());
        Assert.Equal("<Broken could not be formatted: InvalidOperationException: no>", bundle.ToString());
    }

    private sealed class Source : IMimeBundleSource
    {
        public MimeBundle ToMimeBundle() => new MimeBundle("x").With(MimeBundle.Html, "<b>x</b>");
    }

    private sealed class Broken : IMimeBundleSource
    {
        public MimeBundle ToMimeBundle() => throw new InvalidOperationException("no");
    }
}
