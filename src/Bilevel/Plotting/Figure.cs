using System.Globalization;
using System.Text;
using System.Text.Json;
using Bilevel.Interactive;

namespace Bilevel.Plotting;

/// <summary>Linear or logarithmic axis (plotly.js <c>layout.xaxis.type</c>).</summary>
public enum AxisType
{
    Linear,
    Log,
}

/// <summary>How a scatter trace draws its points (plotly.js <c>mode</c>).</summary>
public enum TraceMode
{
    Lines,
    Markers,
    LinesAndMarkers,
}

/// <summary>Line dash style (plotly.js <c>line.dash</c>).</summary>
public enum LineDash
{
    Solid,
    Dash,
    Dot,
    DashDot,
}

/// <summary>One axis of a subplot.</summary>
public sealed class Axis
{
    public string? Title { get; set; }

    public AxisType Type { get; set; } = AxisType.Linear;

    /// <summary>Plotly's <c>exponentformat</c> for log axes ("power" writes 10⁻⁸).</summary>
    public string ExponentFormat { get; set; } = "power";
}

/// <summary>A plotly.js <c>scatter</c> trace: a line and/or markers, optionally filled (bands).</summary>
public sealed class ScatterTrace
{
    public ScatterTrace(string name, IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"trace '{name}': x has {x.Count} points but y has {y.Count}");
        }

        Name = name;
        X = x;
        Y = y;
    }

    public string Name { get; }

    public IReadOnlyList<double> X { get; }

    public IReadOnlyList<double> Y { get; }

    public TraceMode Mode { get; set; } = TraceMode.Lines;

    /// <summary>A CSS colour; null lets plotly.js choose.</summary>
    public string? Color { get; set; }

    public LineDash Dash { get; set; } = LineDash.Solid;

    public double LineWidth { get; set; } = 2;

    /// <summary>Traces with the same group toggle together in the legend (a curve and its band).</summary>
    public string? LegendGroup { get; set; }

    public bool ShowLegend { get; set; } = true;

    /// <summary>Fill to the previous trace (plotly.js <c>fill: "tonexty"</c>), used by bands.</summary>
    public bool FillToPrevious { get; set; }

    public string? FillColor { get; set; }

    /// <summary>Per-point hover text.</summary>
    public IReadOnlyList<string>? HoverText { get; set; }

    /// <summary>False to exclude the trace from hover (band edges).</summary>
    public bool Hover { get; set; } = true;

    internal int Row { get; set; } = 1;

    internal int Column { get; set; } = 1;
}

/// <summary>
/// A Plotly figure: traces on a grid of subplots, serialized to plotly.js's JSON schema
/// (<c>{"data": [...], "layout": {...}}</c>). In a notebook its MIME bundle carries
/// <c>application/vnd.plotly.v1+json</c> (interactive in VS Code and JupyterLab), a self-contained <c>text/html</c>
/// fallback and a <c>text/plain</c> summary; <see cref="SaveHtml"/> writes a standalone page and
/// <see cref="SavePng"/> renders one through headless Chromium.
/// </summary>
[TypeFormatterSource(typeof(FigureFormatterSource), PreferredMimeTypes = [MimeBundle.Html])]
public sealed class Figure : IMimeBundleSource
{
    private readonly List<ScatterTrace> _traces = [];
    private readonly Axis[] _xAxes;
    private readonly Axis[] _yAxes;
    private readonly string?[] _subplotTitles;

    /// <summary>A figure with <paramref name="rows"/> × <paramref name="columns"/> subplots.</summary>
    public Figure(string? title = null, int rows = 1, int columns = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        Title = title;
        Rows = rows;
        Columns = columns;
        _xAxes = new Axis[rows * columns];
        _yAxes = new Axis[rows * columns];
        _subplotTitles = new string?[rows * columns];
        for (var i = 0; i < _xAxes.Length; i++)
        {
            _xAxes[i] = new Axis();
            _yAxes[i] = new Axis();
        }
    }

    public string? Title { get; set; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Pixel width; also the PNG width.</summary>
    public int Width { get; set; } = 900;

    /// <summary>Pixel height; also the PNG height.</summary>
    public int Height { get; set; } = 500;

    public IReadOnlyList<ScatterTrace> Traces => _traces;

    /// <summary>The x axis of a subplot (rows and columns count from 1).</summary>
    public Axis XAxis(int row = 1, int column = 1) => _xAxes[Index(row, column)];

    /// <summary>The y axis of a subplot.</summary>
    public Axis YAxis(int row = 1, int column = 1) => _yAxes[Index(row, column)];

    /// <summary>Sets a subplot's title.</summary>
    public Figure SubplotTitle(int row, int column, string title)
    {
        _subplotTitles[Index(row, column)] = title;
        return this;
    }

    /// <summary>Adds a trace to a subplot and returns it for styling.</summary>
    public ScatterTrace Add(ScatterTrace trace, int row = 1, int column = 1)
    {
        ArgumentNullException.ThrowIfNull(trace);
        _ = Index(row, column);
        trace.Row = row;
        trace.Column = column;
        _traces.Add(trace);
        return trace;
    }

    /// <summary>Adds a line; <paramref name="color"/> defaults to the next colour of <see cref="Palette"/>.</summary>
    public ScatterTrace AddLine(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, int row = 1, int column = 1,
        string? color = null, TraceMode mode = TraceMode.Lines) =>
        Add(new ScatterTrace(name, x, y) { Color = color ?? Palette.Color(CurveCount(row, column)), Mode = mode, LegendGroup = name }, row, column);

    /// <summary>
    /// Adds a curve with a shaded band (e.g. min–max or a quantile band over seeds): the band is a fill between
    /// <paramref name="lower"/> and <paramref name="upper"/> in the curve's legend group, so both toggle together.
    /// </summary>
    public ScatterTrace AddBand(string name, IReadOnlyList<double> x, IReadOnlyList<double> center, IReadOnlyList<double> lower,
        IReadOnlyList<double> upper, int row = 1, int column = 1, string? color = null)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        color ??= Palette.Color(CurveCount(row, column));
        var fill = Palette.Transparent(color, 0.2);
        Add(new ScatterTrace($"{name} (upper)", x, upper) { Color = color, LineWidth = 0, LegendGroup = name, ShowLegend = false, Hover = false }, row, column);
        Add(new ScatterTrace($"{name} (lower)", x, lower)
        {
            Color = color,
            LineWidth = 0,
            LegendGroup = name,
            ShowLegend = false,
            Hover = false,
            FillToPrevious = true,
            FillColor = fill,
        }, row, column);
        return Add(new ScatterTrace(name, x, center) { Color = color, LegendGroup = name }, row, column);
    }

    private int CurveCount(int row, int column)
    {
        var count = 0;
        foreach (var trace in _traces)
        {
            if (trace.Row == row && trace.Column == column && trace.ShowLegend)
            {
                count++;
            }
        }

        return count;
    }

    private int Index(int row, int column)
    {
        if (row < 1 || row > Rows || column < 1 || column > Columns)
        {
            throw new ArgumentOutOfRangeException(nameof(row), $"subplot ({row}, {column}) is outside the {Rows} × {Columns} grid");
        }

        return ((row - 1) * Columns) + column - 1;
    }

    /// <summary>The figure as plotly.js JSON: <c>{"data": [...], "layout": {...}}</c>.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            foreach (var trace in _traces)
            {
                WriteTrace(writer, trace);
            }

            writer.WriteEndArray();
            WriteLayout(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private void WriteTrace(Utf8JsonWriter writer, ScatterTrace trace)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "scatter");
        writer.WriteString("name", trace.Name);
        writer.WriteString("mode", trace.Mode switch
        {
            TraceMode.Markers => "markers",
            TraceMode.LinesAndMarkers => "lines+markers",
            _ => "lines",
        });
        WriteNumbers(writer, "x", trace.X);
        WriteNumbers(writer, "y", trace.Y);
        var index = Index(trace.Row, trace.Column);
        if (index > 0)
        {
            writer.WriteString("xaxis", $"x{index + 1}");
            writer.WriteString("yaxis", $"y{index + 1}");
        }

        writer.WriteStartObject("line");
        if (trace.Color is not null)
        {
            writer.WriteString("color", trace.Color);
        }

        writer.WriteNumber("width", trace.LineWidth);
        writer.WriteString("dash", trace.Dash switch
        {
            LineDash.Dash => "dash",
            LineDash.Dot => "dot",
            LineDash.DashDot => "dashdot",
            _ => "solid",
        });
        writer.WriteEndObject();
        if (trace.Color is not null && trace.Mode != TraceMode.Lines)
        {
            writer.WriteStartObject("marker");
            writer.WriteString("color", trace.Color);
            writer.WriteEndObject();
        }

        if (trace.LegendGroup is not null)
        {
            writer.WriteString("legendgroup", trace.LegendGroup);
        }

        writer.WriteBoolean("showlegend", trace.ShowLegend);
        if (trace.FillToPrevious)
        {
            writer.WriteString("fill", "tonexty");
            if (trace.FillColor is not null)
            {
                writer.WriteString("fillcolor", trace.FillColor);
            }
        }

        if (!trace.Hover)
        {
            writer.WriteString("hoverinfo", "skip");
        }
        else if (trace.HoverText is not null)
        {
            writer.WriteStartArray("text");
            foreach (var text in trace.HoverText)
            {
                writer.WriteStringValue(text);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private void WriteLayout(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("layout");
        if (Title is not null)
        {
            writer.WriteStartObject("title");
            writer.WriteString("text", Title);
            writer.WriteEndObject();
        }

        writer.WriteNumber("width", Width);
        writer.WriteNumber("height", Height);
        writer.WriteString("plot_bgcolor", "white");
        writer.WriteStartObject("legend");
        writer.WriteString("orientation", "v");
        writer.WriteEndObject();
        writer.WriteString("hovermode", "closest");
        const double gap = 0.08;
        var annotations = new List<(double X, double Y, string Text)>();
        for (var row = 1; row <= Rows; row++)
        {
            for (var column = 1; column <= Columns; column++)
            {
                var index = Index(row, column);
                var suffix = index == 0 ? "" : (index + 1).ToString(CultureInfo.InvariantCulture);
                var x0 = (column - 1) / (double)Columns + (column > 1 ? gap / 2 : 0);
                var x1 = column / (double)Columns - (column < Columns ? gap / 2 : 0);
                var y1 = 1 - ((row - 1) / (double)Rows) - (row > 1 ? gap / 2 : 0);
                var y0 = 1 - (row / (double)Rows) + (row < Rows ? gap : 0);
                WriteAxis(writer, "xaxis" + suffix, _xAxes[index], x0, x1, "y" + suffix);
                WriteAxis(writer, "yaxis" + suffix, _yAxes[index], y0, y1, "x" + suffix);
                if (_subplotTitles[index] is { } subplotTitle)
                {
                    annotations.Add(((x0 + x1) / 2, y1, subplotTitle));
                }
            }
        }

        if (annotations.Count > 0)
        {
            writer.WriteStartArray("annotations");
            foreach (var (x, y, text) in annotations)
            {
                writer.WriteStartObject();
                writer.WriteString("text", text);
                writer.WriteNumber("x", x);
                writer.WriteNumber("y", y);
                writer.WriteString("xref", "paper");
                writer.WriteString("yref", "paper");
                writer.WriteString("xanchor", "center");
                writer.WriteString("yanchor", "bottom");
                writer.WriteBoolean("showarrow", false);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteAxis(Utf8JsonWriter writer, string name, Axis axis, double from, double to, string anchor)
    {
        writer.WriteStartObject(name);
        writer.WriteString("type", axis.Type == AxisType.Log ? "log" : "linear");
        if (axis.Title is not null)
        {
            writer.WriteStartObject("title");
            writer.WriteString("text", axis.Title);
            writer.WriteEndObject();
        }

        if (axis.Type == AxisType.Log)
        {
            writer.WriteString("exponentformat", axis.ExponentFormat);
        }

        writer.WriteStartArray("domain");
        writer.WriteNumberValue(Math.Round(from, 6));
        writer.WriteNumberValue(Math.Round(to, 6));
        writer.WriteEndArray();
        writer.WriteString("anchor", anchor);
        writer.WriteEndObject();
    }

    private static void WriteNumbers(Utf8JsonWriter writer, string name, IReadOnlyList<double> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }

        writer.WriteEndArray();
    }

    /// <summary>A one-paragraph description: title, subplots, curves and axis types.</summary>
    public string Summary()
    {
        var names = new List<string>();
        foreach (var trace in _traces)
        {
            if (trace.ShowLegend)
            {
                names.Add(trace.Name);
            }
        }

        var axes = $"x: {_xAxes[0].Title ?? "x"}{(_xAxes[0].Type == AxisType.Log ? " (log)" : "")}, y: {_yAxes[0].Title ?? "y"}{(_yAxes[0].Type == AxisType.Log ? " (log)" : "")}";
        var grid = Rows * Columns > 1 ? $", {Rows}×{Columns} subplots" : "";
        return $"Figure \"{Title}\"{grid}: {names.Count} curves ({string.Join(", ", names)}); {axes}";
    }

    /// <inheritdoc />
    public MimeBundle ToMimeBundle() => new MimeBundle(Summary())
        .With(MimeBundle.Plotly, ToJson())
        .With(MimeBundle.Html, PlotlyHtml.Fragment(this, PlotlyHtml.NotebookScriptMode));

    /// <summary>Writes a standalone HTML page with plotly.js embedded.</summary>
    public void SaveHtml(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        File.WriteAllText(path, PlotlyHtml.Page(this));
    }

    /// <summary>Renders the figure to PNG through headless Chromium; throws a clear error when Chromium is absent.</summary>
    public void SavePng(string path) => ChromiumRenderer.RenderPng(this, path);

    public override string ToString() => Summary();
}

/// <summary>Plotly's default colour sequence.</summary>
public static class Palette
{
    private static readonly string[] Colors =
        ["#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52"];

    /// <summary>The i-th colour, cycling.</summary>
    public static string Color(int index) => Colors[((index % Colors.Length) + Colors.Length) % Colors.Length];

    /// <summary>A <c>#rrggbb</c> colour as <c>rgba(r, g, b, alpha)</c>.</summary>
    public static string Transparent(string color, double alpha)
    {
        ArgumentNullException.ThrowIfNull(color);
        if (color.Length != 7 || color[0] != '#')
        {
            return color;
        }

        var r = Convert.ToInt32(color[1..3], 16);
        var g = Convert.ToInt32(color[3..5], 16);
        var b = Convert.ToInt32(color[5..7], 16);
        return string.Create(CultureInfo.InvariantCulture, $"rgba({r}, {g}, {b}, {alpha})");
    }
}
