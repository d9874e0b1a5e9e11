using System.Net;
using System.Text;

namespace Bilevel.Interactive;

/// <summary>A table of formatted cells with a title, shown as HTML in notebooks and as aligned text elsewhere.</summary>
public sealed class ResultTable : IMimeBundleSource
{
    public ResultTable(string title, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            if (row.Count != columns.Count)
            {
                throw new ArgumentException($"a row of table '{title}' has {row.Count} cells, expected {columns.Count}", nameof(rows));
            }
        }

        Title = title;
        Columns = columns;
        Rows = rows;
    }

    public string Title { get; }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>Aligned plain text: the title, a header and one line per row.</summary>
    public string ToText()
    {
        var widths = new int[Columns.Count];
        for (var c = 0; c < Columns.Count; c++)
        {
            widths[c] = Columns[c].Length;
            foreach (var row in Rows)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var text = new StringBuilder(Title).Append('\n');
        void Line(IReadOnlyList<string> cells)
        {
            for (var c = 0; c < cells.Count; c++)
            {
                text.Append(c == 0 ? cells[c].PadRight(widths[c]) : "  " + cells[c].PadLeft(widths[c]));
            }

            text.Append('\n');
        }

        Line(Columns);
        foreach (var row in Rows)
        {
            Line(row);
        }

        return text.ToString().TrimEnd();
    }

    public MimeBundle ToMimeBundle()
    {
        var html = new StringBuilder("<table><caption>").Append(WebUtility.HtmlEncode(Title)).Append("</caption><thead><tr>");
        foreach (var column in Columns)
        {
            html.Append("<th>").Append(WebUtility.HtmlEncode(column)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in Rows)
        {
            html.Append("<tr>");
            for (var c = 0; c < row.Count; c++)
            {
                html.Append(c == 0 ? "<td style=\"text-align:left\">" : "<td>").Append(WebUtility.HtmlEncode(row[c])).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
        return new MimeBundle(ToText()).With(MimeBundle.Html, html.ToString());
    }

    public override string ToString() => ToText();
}
