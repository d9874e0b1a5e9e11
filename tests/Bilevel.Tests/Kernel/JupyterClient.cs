using System.Diagnostics;
using Bilevel.Kernel;

namespace Bilevel.Tests.Kernel;

/// <summary>
/// Runs Python scripts that use Debian's jupyter_client against this build's kernel: the kernelspec is installed
/// into a private JUPYTER_PATH pointing at the Bilevel.Cli.dll next to the tests, so the user's own Jupyter set-up
/// is neither used nor changed.
/// </summary>
internal static class JupyterClient
{
    /// <summary>Debian's Python, which has jupyter_client (a pyenv python on PATH may not).</summary>
    public const string Python = "/usr/bin/python3";

    public static (int Code, string Output, string Error) RunScript(string scriptName, TimeSpan timeout)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: run environment/setup (installs Debian's Jupyter packages)");
        }

        var jupyterPath = Path.Combine(Path.GetTempPath(), $"bilevel-jupyter-{Guid.NewGuid():N}");
        try
        {
            KernelSpec.Install(jupyterPath, Path.Combine(AppContext.BaseDirectory, "Bilevel.Cli.dll"));
            var script = Path.Combine(Environment.ScriptTests.RepositoryRoot(), "tests", "Bilevel.Tests", "Kernel", scriptName);
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(script)!,
            };
            start.ArgumentList.Add(script);
            start.Environment["JUPYTER_PATH"] = jupyterPath;
            start.Environment["JUPYTER_DATA_DIR"] = jupyterPath;
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{scriptName} did not finish within {timeout.TotalSeconds} s; stderr: {error.Result}");
            }

            return (process.ExitCode, output.Result, error.Result);
        }
        finally
        {
            Directory.Delete(jupyterPath, recursive: true);
        }
    }
}
