using System.CommandLine;
using Bilevel.Kernel;

namespace Bilevel.Cli;

/// <summary><c>bilevel kernel install</c> writes the Jupyter kernelspec; <c>bilevel kernel run</c> is what Jupyter starts.</summary>
internal static class KernelCommand
{
    public static Command Create()
    {
        var user = new Option<bool>("--user") { Description = "Install for this user (Jupyter's user data folder; the default)" };
        var prefix = new Option<string?>("--prefix") { Description = "Install under PREFIX/share/jupyter (e.g. a virtual environment)" };
        var install = new Command("install", $"Install the '{KernelSpec.Name}' kernelspec (\"{KernelSpec.DisplayName}\") for Jupyter, nbconvert and VS Code")
        {
            user, prefix,
        };
        install.SetAction(parse =>
        {
            var chosenPrefix = parse.GetValue(prefix);
            if (parse.GetValue(user) && chosenPrefix is not null)
            {
                throw new ArgumentException("--user and --prefix exclude each other: choose one");
            }

            var dataDirectory = chosenPrefix is null ? KernelSpec.UserDataDirectory() : Path.Combine(chosenPrefix, "share", "jupyter");
            var launcher = typeof(KernelCommand).Assembly.Location;
            var directory = KernelSpec.Install(dataDirectory, launcher);
            Console.Out.WriteLine($"installed kernelspec {KernelSpec.Name} in {directory}");
            return 0;
        });

        var connectionFile = new Argument<string>("connection-file") { Description = "The connection file Jupyter passes as {connection_file}" };
        var run = new Command("run", "Run the kernel on a Jupyter connection file (Jupyter starts this)") { connectionFile };
        run.SetAction(parse => KernelServer.Run(parse.GetValue(connectionFile)!));

        return new Command("kernel", "The C# Jupyter kernel of the workbook") { install, run };
    }
}
