namespace Bilevel.Interactive;

/// <summary>
/// Progress lines written to the console synchronously, in order (unlike <see cref="Progress{T}"/>, which posts
/// to the thread pool). In a notebook the kernel streams them while the cell runs.
/// </summary>
public sealed class ConsoleProgress : IProgress<string>
{
    private readonly string _prefix;

    public ConsoleProgress(string prefix = "") => _prefix = prefix;

    public void Report(string value) => Console.WriteLine(_prefix + value);
}
