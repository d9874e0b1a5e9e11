using System.Text.Json.Nodes;

namespace Bilevel.Kernel;

/// <summary>
/// The kernelspec (<c>kernel.json</c>) that makes Jupyter, nbconvert and VS Code list this kernel as
/// <c>bilevel-csharp</c> / "C# (Bilevel)". It starts <c>dotnet &lt;Bilevel.Cli.dll&gt; kernel run {connection_file}</c>
/// and asks for interrupts as messages (<c>interrupt_mode: message</c>), which the kernel answers on its control channel.
/// </summary>
public static class KernelSpec
{
    public const string Name = "bilevel-csharp";
    public const string DisplayName = "C# (Bilevel)";

    /// <summary>Jupyter's per-user data folder: <c>$JUPYTER_DATA_DIR</c>, else <c>$XDG_DATA_HOME/jupyter</c>, else <c>~/.local/share/jupyter</c>.</summary>
    public static string UserDataDirectory()
    {
        var explicitDirectory = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            return explicitDirectory;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrWhiteSpace(xdg) ? Path.Combine(home, ".local", "share") : xdg, "jupyter");
    }

    /// <summary>The kernel.json document for a launcher assembly.</summary>
    public static JsonObject Document(string launcherAssembly) => new()
    {
        ["argv"] = new JsonArray("dotnet", launcherAssembly, "kernel", "run", "{connection_file}"),
        ["display_name"] = DisplayName,
        ["language"] = "csharp",
        ["interrupt_mode"] = "message",
        ["metadata"] = new JsonObject { ["debugger"] = false },
    };

    /// <summary>
    /// Writes <c>kernels/bilevel-csharp/kernel.json</c> under <paramref name="dataDirectory"/> (Jupyter's data folder, e.g.
    /// <c>~/.local/share/jupyter</c> or <c>PREFIX/share/jupyter</c>) and returns the folder written.
    /// </summary>
    public static string Install(string dataDirectory, string launcherAssembly)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        if (!File.Exists(launcherAssembly))
        {
            throw new FileNotFoundException($"the kernel launcher '{launcherAssembly}' does not exist", launcherAssembly);
        }

        var directory = Path.Combine(dataDirectory, "kernels", Name);
        Directory.CreateDirectory(directory);
        var document = Document(Path.GetFullPath(launcherAssembly));
        File.WriteAllText(Path.Combine(directory, "kernel.json"), document.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return directory;
    }
}
