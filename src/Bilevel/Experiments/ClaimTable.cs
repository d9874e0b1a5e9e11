using System.Net;
using System.Text;
using Bilevel.Interactive;

namespace Bilevel.Experiments;

/// <summary>
/// A paper's claims checked against measurements, shown as a table in notebooks; <see cref="EnsureAllHold"/> throws
/// when any claim fails, so an executed notebook (and CI) reports it instead of hiding it.
/// </summary>
public sealed class ClaimTable : IMimeBundleSource
{
    public ClaimTable(string title, IReadOnlyList<ClaimCheck> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        Title = title;
        Claims = claims;
    }

    public string Title { get; }

    public IReadOnlyList<ClaimCheck> Claims { get; }

    /// <summary>True when every claim holds.</summary>
    public bool AllHold
    {
        get
        {
            foreach (var claim in Claims)
            {
                if (!claim.Holds)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Throws <see cref="ClaimFailedException"/> listing every claim that does not hold.</summary>
    public void EnsureAllHold()
    {
        var failed = new List<string>();
        foreach (var claim in Claims)
        {
            if (!claim.Holds)
            {
                failed.Add($"{claim.Claim} — measured: {claim.Evidence}");
            }
        }

        if (failed.Count > 0)
        {
            throw new ClaimFailedException($"{Title}: {failed.Count} of {Claims.Count} claims do not hold: {string.Join("; ", failed)}");
        }
    }

    public MimeBundle ToMimeBundle()
    {
        var text = new StringBuilder(Title).Append('\n');
        var html = new StringBuilder("<table><caption>").Append(WebUtility.HtmlEncode(Title))
            .Append("</caption><thead><tr><th>holds</th><th style=\"text-align:left\">claim</th><th style=\"text-align:left\">measured</th></tr></thead><tbody>");
        foreach (var claim in Claims)
        {
            var mark = claim.Holds ? "yes" : "NO";
            text.Append(mark).Append("  ").Append(claim.Claim).Append(" — ").Append(claim.Evidence).Append('\n');
            html.Append("<tr><td>").Append(claim.Holds ? "✅" : "❌").Append("</td><td style=\"text-align:left\">")
                .Append(WebUtility.HtmlEncode(claim.Claim)).Append("</td><td style=\"text-align:left\">")
                .Append(WebUtility.HtmlEncode(claim.Evidence)).Append("</td></tr>");
        }

        html.Append("</tbody></table>");
        return new MimeBundle(text.ToString().TrimEnd()).With(MimeBundle.Html, html.ToString());
    }

    public override string ToString() => ToMimeBundle().ToString();
}

/// <summary>A paper's claim did not hold in the measurement.</summary>
public sealed class ClaimFailedException : Exception
{
    public ClaimFailedException()
    {
    }

    public ClaimFailedException(string message)
        : base(message)
    {
    }

    public ClaimFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
