using System.Diagnostics;
using System.Text;

namespace Bilevel.Plotting;

/// <summary>How a notebook's <c>text/html</c> figure fallback gets plotly.js.</summary>
public enum PlotlyScriptMode
{
    /// <summary>The first figure of the process carries plotly.js inline; later ones reuse <c>window.Plotly</c>.</summary>
    OncePerSession,

    /// <summary>Every figure carries plotly.js inline (large, always self-contained).</summary>
    Always,
}

/// <summary>
/// HTML for figures, with plotly.js from npm's <c>plotly.js-dist-min</c> (installed by <c>environment/setup</c> under
/// <c>environment/node_modules</c>) found through <c>BILEVEL_PLOTLY_JS</c> or by walking up from the current directory
/// and from the library's folder.
/// </summary>
public static class PlotlyHtml
{
    /// <summary>The environment variable that names plotly.min.js explicitly.</summary>
    public const string EnvironmentVariable = "BILEVEL_PLOTLY_JS";

    private const string RelativePath = "environment/node_modules/plotly.js-dist-min/plotly.min.js";
    private static readonly Lazy<string?> Script = new(LoadScript);
    private static int _inlined;

    /// <summary>How notebook HTML fallbacks embed plotly.js.</summary>
    public static PlotlyScriptMode NotebookScriptMode { get; set; } = PlotlyScriptMode.OncePerSession;

    /// <summary>The path of plotly.min.js, or null when it is not installed.</summary>
    public static string? FindScript()
    {
        var explicitPath = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath) ? explicitPath : null;
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, RelativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static string? LoadScript() => FindScript() is { } path ? File.ReadAllText(path) : null;

    private static string MissingScriptMessage() =>
        $"plotly.js is not installed: run environment/setup (npm install of plotly.js-dist-min into environment/node_modules) or set {EnvironmentVariable} to plotly.min.js";

    /// <summary>A standalone page with plotly.js inline; <paramref name="staticImage"/> hides the mode bar and interactivity (for PNGs).</summary>
    public static string Page(Figure figure, bool staticImage = false)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var script = Script.Value ?? throw new FileNotFoundException(MissingScriptMessage());
        var builder = new StringBuilder();
        builder.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
            .Append(System.Net.WebUtility.HtmlEncode(figure.Title ?? "figure"))
            .Append("</title><script>").Append(script).Append("</script></head><body style=\"margin:0\">\n");
        AppendPlot(builder, figure, staticImage);
        builder.Append("</body></html>\n");
        return builder.ToString();
    }

    /// <summary>An output fragment: a div and a script that draws into it once plotly.js is present.</summary>
    public static string Fragment(Figure figure, PlotlyScriptMode mode)
    {
        ArgumentNullException.ThrowIfNull(figure);
        var builder = new StringBuilder();
        var script = Script.Value;
        if (script is null)
        {
            builder.Append("<p><em>").Append(System.Net.WebUtility.HtmlEncode(MissingScriptMessage())).Append("</em></p>\n");
        }
        else if (mode == PlotlyScriptMode.Always || Interlocked.Exchange(ref _inlined, 1) == 0)
        {
            builder.Append("<script>").Append(script).Append("</script>\n");
        }

        AppendPlot(builder, figure);
        return builder.ToString();
    }

    private static void AppendPlot(StringBuilder builder, Figure figure, bool staticImage = false)
    {
        var id = "bilevel-" + Guid.NewGuid().ToString("N");
        var json = figure.ToJson().Replace("</", "<\\/", StringComparison.Ordinal);
        builder.Append("<div id=\"").Append(id).Append("\" style=\"width:").Append(figure.Width).Append("px;height:")
            .Append(figure.Height).Append("px\"></div>\n<script>(function () {\n  var figure = ").Append(json)
            .Append(";\n  function draw() { if (window.Plotly) { window.Plotly.newPlot('").Append(id)
            .Append("', figure.data, figure.layout, ").Append(staticImage ? "{staticPlot: true}" : "{responsive: true}")
            .Append("); } else { setTimeout(draw, 100); } }\n  draw();\n})();</script>\n");
    }
}

/// <summary>Renders figures to PNG with headless Chromium (Debian's <c>chromium</c>), found on PATH or via <c>BILEVEL_CHROMIUM</c>.</summary>
public static class ChromiumRenderer
{
    /// <summary>The environment variable that names the Chromium executable explicitly.</summary>
    public const string EnvironmentVariable = "BILEVEL_CHROMIUM";

    /// <summary>The Chromium executable, or null when none is installed.</summary>
    public static string? Find()
    {
        var explicitPath = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath) ? explicitPath : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            {
                var candidate = Path.Combine(directory, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Writes the figure as a PNG of its width × height.</summary>
    public static void RenderPng(Figure figure, string path)
    {
        ArgumentNullException.ThrowIfNull(figure);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var chromium = Find() ?? throw new InvalidOperationException(
            $"SavePng needs Chromium, which is not installed: apt-get install chromium, or set {EnvironmentVariable}; SaveHtml works without it");
        var page = Path.Combine(Path.GetTempPath(), $"bilevel-figure-{Guid.NewGuid():N}.html");
        var output = Path.GetFullPath(path);
        try
        {
            File.WriteAllText(page, PlotlyHtml.Page(figure, staticImage: true));
            var info = new ProcessStartInfo(chromium)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=10000",
                $"--window-size={figure.Width},{figure.Height}", $"--screenshot={output}", new Uri(page).AbsoluteUri,
            })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {chromium}");
            var errors = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{chromium} did not render the figure within 60 s");
            }

            if (process.ExitCode != 0 || !File.Exists(output))
            {
                throw new InvalidOperationException($"{chromium} failed (exit {process.ExitCode}): {errors.Result.Split('\n')[0]}");
            }
        }
        finally
        {
            File.Delete(page);
        }
    }
}
