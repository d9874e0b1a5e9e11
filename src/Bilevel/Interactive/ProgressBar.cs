using System.Globalization;
using System.Net;
using System.Text;

namespace Bilevel.Interactive;

/// <summary>
/// A progress bar for long runs: in a notebook it is one display updated in place (<c>update_display_data</c>), so
/// the bar moves while the cell runs; outside a notebook each step prints a line. As an <see cref="IProgress{T}"/>
/// of strings it advances one step per report, which fits the library's experiment runners.
/// </summary>
public sealed class ProgressBar : IProgress<string>, IMimeBundleSource
{
    private readonly Lock _lock = new();
    private DisplayHandle? _handle;

    /// <param name="title">What is running.</param>
    /// <param name="total">Steps expected (reports beyond it keep the bar full).</param>
    public ProgressBar(string title, int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(total);
        Title = title;
        Total = total;
    }

    public string Title { get; }

    public int Total { get; }

    public int Done { get; private set; }

    public string Message { get; private set; } = "";

    /// <summary>Advances one step and shows <paramref name="value"/> as the latest message.</summary>
    public void Report(string value)
    {
        lock (_lock)
        {
            Done++;
            Message = value ?? "";
            if (_handle is null)
            {
                _handle = Notebook.Display(this);
            }
            else
            {
                _handle.Update(this);
            }
        }
    }

    public MimeBundle ToMimeBundle()
    {
        var done = Math.Min(Done, Total);
        var percent = 100.0 * done / Total;
        var text = string.Create(CultureInfo.InvariantCulture, $"{Title}: {done}/{Total} ({percent:F0}%) {Message}").TrimEnd();
        var html = new StringBuilder("<div><span>").Append(WebUtility.HtmlEncode(Title)).Append("</span> <progress value=\"")
            .Append(done).Append("\" max=\"").Append(Total).Append("\" style=\"width:240px\"></progress> ")
            .Append(string.Create(CultureInfo.InvariantCulture, $"{done}/{Total} "))
            .Append(WebUtility.HtmlEncode(Message)).Append("</div>");
        return new MimeBundle(text).With(MimeBundle.Html, html.ToString());
    }

    public override string ToString() => ToMimeBundle().ToString();
}
