using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;

namespace Bilevel.Tests.Solvers;

public sealed class OptionsBinderTests
{
    private static KeyValuePair<string, string> Set(string key, string value) => new(key, value);

    [Fact]
    public void Apply_Settings_ChangeCopyOnly()
    {
        var defaults = new AidBiOOptions();
        var changed = (AidBiOOptions)OptionsBinder.Apply(defaults, [Set("inner-steps", "7"), Set("OUTER_STEP", "0.5/sqrt(t+1)"), Set("rule", "increasing")], "AID-BiO");
        Assert.Equal(7, changed.InnerSteps);
        Assert.Equal(StepSize.Decaying(0.5, 0.5), changed.OuterStep);
        Assert.Equal(InnerStepRule.Increasing, changed.Rule);
        Assert.Equal(10, defaults.InnerSteps);
    }

    [Fact]
    public void Apply_UnknownKey_ThrowsListingOptions()
    {
        var e = Assert.Throws<ArgumentException>(() => OptionsBinder.Apply(new AidBiOOptions(), [Set("nope", "1")], "AID-BiO"));
        Assert.Contains("'nope' is not an option of AID-BiO", e.Message, StringComparison.Ordinal);
        Assert.Contains("CgIterations", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BadValue_ThrowsNamingOptionAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => OptionsBinder.Apply(new AidBiOOptions(), [Set("InnerSteps", "many")], "AID-BiO"));
        Assert.Contains("InnerSteps", e.Message, StringComparison.Ordinal);
        Assert.Contains("'many'", e.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => OptionsBinder.Apply(new AidBiOOptions(), [Set("Rule", "sometimes")], "AID-BiO"));
        Assert.Contains("Increasing", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_Options_HaveDefaultsAndDocumentation()
    {
        var options = OptionsBinder.Describe(new AidBiOOptions());
        var cg = Assert.Single(options, o => o.Name == "CgIterations");
        Assert.Equal("10", cg.Default);
        Assert.Contains("conjugate-gradient", cg.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a=1", "a", "1")]
    [InlineData(" key = x=y ", "key", "x=y")]
    public void ParseSetting_KeyValue_Splits(string text, string key, string value) =>
        Assert.Equal((key, value), OptionsBinder.ParseSetting(text));

    [Theory]
    [InlineData("novalue=")]
    [InlineData("=1")]
    [InlineData("plain")]
    public void ParseSetting_Malformed_Throws(string text) => Assert.Throws<FormatException>(() => OptionsBinder.ParseSetting(text));
}
