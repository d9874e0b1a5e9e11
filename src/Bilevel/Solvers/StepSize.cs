using System.Globalization;

namespace Bilevel.Solvers;

/// <summary>
/// A step-size schedule as a value: α_t = <see cref="Scale"/> / (t + <see cref="Offset"/>)^<see cref="Power"/>, t = 0, 1, …
/// (a constant when <see cref="Power"/> is 0; the papers' δ/√(k+1) is <c>Decaying(δ, 0.5)</c>).
/// </summary>
/// <remarks>
/// Text form (for <c>--set key=value</c> and option listings): <c>0.1</c> (constant), <c>0.1/(t+1)^0.5</c>,
/// <c>0.1/sqrt(t+1)</c> or <c>0.1/(t+10)</c>.
/// </remarks>
/// <param name="Scale">The numerator a.</param>
/// <param name="Offset">The shift b in (t + b) (≥ 1 when Power &gt; 0, so that α_0 is finite).</param>
/// <param name="Power">The exponent c ≥ 0.</param>
public readonly record struct StepSize(double Scale, double Offset = 1, double Power = 0)
{
    /// <summary>A constant step a.</summary>
    public static StepSize Constant(double scale) => new(scale);

    /// <summary>a / (t + offset)^power.</summary>
    public static StepSize Decaying(double scale, double power, double offset = 1) => new(scale, offset, power);

    /// <summary>True when the step does not change with t.</summary>
    public bool IsConstant => Power == 0;

    /// <summary>α_t.</summary>
    public double At(long t) => Power == 0 ? Scale : Scale / Math.Pow(t + Offset, Power);

    /// <summary>Throws a one-line error naming <paramref name="name"/> unless the schedule is positive and finite.</summary>
    public void Validate(string name)
    {
        if (!(Scale > 0) || double.IsInfinity(Scale))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be a positive step size, got {this}");
        }

        if (!(Power >= 0) || (Power > 0 && !(Offset > 0)))
        {
            throw new ArgumentOutOfRangeException(name, $"{name} needs power ≥ 0 and offset > 0, got {this}");
        }
    }

    /// <summary>Parses the text form; throws one line naming the text on failure.</summary>
    public static StepSize Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Replace(" ", "", StringComparison.Ordinal);
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return Constant(Number(s, text));
        }

        var scale = Number(s[..slash], text);
        var rest = s[(slash + 1)..];
        double power = 1;
        if (rest.StartsWith("sqrt(", StringComparison.Ordinal) && rest.EndsWith(')'))
        {
            power = 0.5;
            rest = rest[5..^1];
        }
        else
        {
            var caret = rest.LastIndexOf(")^", StringComparison.Ordinal);
            if (caret >= 0)
            {
                power = Number(rest[(caret + 2)..], text);
                rest = rest[..(caret + 1)];
            }

            if (!(rest.StartsWith('(') && rest.EndsWith(')')))
            {
                throw Malformed(text);
            }

            rest = rest[1..^1];
        }

        if (!rest.StartsWith("t+", StringComparison.Ordinal))
        {
            throw Malformed(text);
        }

        return Decaying(scale, power, Number(rest[2..], text));
    }

    private static double Number(string s, string text) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw Malformed(text);

    private static FormatException Malformed(string text) =>
        new($"step size '{text}' is not of the form a, a/(t+b)^c or a/sqrt(t+b)");

    public override string ToString()
    {
        var a = Scale.ToString("G6", CultureInfo.InvariantCulture);
        if (Power == 0)
        {
            return a;
        }

        var b = Offset.ToString("G6", CultureInfo.InvariantCulture);
        return Power == 0.5 ? $"{a}/sqrt(t+{b})" : Power == 1 ? $"{a}/(t+{b})" : $"{a}/(t+{b})^{Power.ToString("G6", CultureInfo.InvariantCulture)}";
    }
}
