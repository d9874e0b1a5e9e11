using Bilevel.Solvers;

namespace Bilevel.Tests.Solvers;

public sealed class StepSizeTests
{
    [Theory]
    [InlineData("0.1", 0.1, 1, 0)]
    [InlineData("0.1/(t+1)^0.5", 0.1, 1, 0.5)]
    [InlineData("2/sqrt(t+1)", 2, 1, 0.5)]
    [InlineData("3 / (t + 10)", 3, 10, 1)]
    public void Parse_TextForms_GiveSchedule(string text, double scale, double offset, double power)
    {
        var step = StepSize.Parse(text);
        Assert.Equal(new StepSize(scale, offset, power), step);
        Assert.Equal(step, StepSize.Parse(step.ToString()));
    }

    [Fact]
    public void At_Decaying_FollowsFormula()
    {
        var step = StepSize.Decaying(0.5, 0.5);
        Assert.Equal(0.5, step.At(0));
        Assert.Equal(0.5 / Math.Sqrt(4), step.At(3), 15);
        Assert.Equal(0.7, StepSize.Constant(0.7).At(1000));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0.1/(k+1)")]
    [InlineData("0.1/t")]
    public void Parse_Malformed_ThrowsNamingText(string text)
    {
        var e = Assert.Throws<FormatException>(() => StepSize.Parse(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NonPositive_ThrowsNamingOption()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => StepSize.Constant(0).Validate("OuterStep"));
        Assert.Contains("OuterStep", e.Message, StringComparison.Ordinal);
    }
}
