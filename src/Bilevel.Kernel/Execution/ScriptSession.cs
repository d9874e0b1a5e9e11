using System.Collections.Immutable;
using System.Text;
using Bilevel.Interactive;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace Bilevel.Kernel.Execution;

/// <summary>The outcome of one cell.</summary>
internal sealed record CellOutcome(bool HasValue, object? Value, Exception? Exception, ImmutableArray<Diagnostic> Errors, bool Interrupted)
{
    public bool Succeeded => Exception is null && Errors.IsDefaultOrEmpty && !Interrupted;
}

/// <summary>
/// C# cells on Roslyn scripting: the first cell runs on an empty script and every later cell continues from the
/// previous state (<c>ContinueWithAsync</c>), so variables, types and <c>#r</c> references carry over. The Bilevel
/// library, MathNet.Numerics and the runtime are referenced and the usual namespaces imported; loops are made
/// interruptible (<see cref="CancellationRewriter"/>); errors report cell-relative lines.
/// </summary>
internal sealed class ScriptSession
{
    /// <summary>Namespaces every cell imports.</summary>
    public static readonly ImmutableArray<string> DefaultImports =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading",
        "System.Threading.Tasks", "Bilevel.Problems", "Bilevel.Hypergradients", "Bilevel.LinearSolvers",
        "Bilevel.Numerics", "Bilevel.Experiments", "Bilevel.Interactive", "Bilevel.Plotting",
    ];

    private static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Script);

    private readonly ScriptOptions _options;
    private readonly KernelGlobals _globals = new();
    private ScriptState<object>? _state;
    private int _generation;

    public ScriptSession(string? workingDirectory = null)
    {
        var directory = workingDirectory ?? Environment.CurrentDirectory;
        _options = ScriptOptions.Default
            .WithReferences(RuntimeReferences())
            .WithImports(DefaultImports)
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(Encoding.UTF8)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithAllowUnsafe(true)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(directory));
    }

    /// <summary>Compiles and runs an empty submission, so the first real cell starts warm.</summary>
    public async Task InitializeAsync()
    {
        _state ??= await CSharpScript.RunAsync<object>("", _options, _globals, typeof(KernelGlobals)).ConfigureAwait(false);
    }

    /// <summary>Runs one cell. Never throws for the cell's own failures; they come back in the outcome.</summary>
    public async Task<CellOutcome> ExecuteAsync(string code, string cellName, CancellationToken cancellationToken)
    {
        await InitializeAsync().ConfigureAwait(false);
        var generation = Volatile.Read(ref _generation);
        var source = Prepare(code);
        var tree = CSharpSyntaxTree.ParseText(source, ParseOptions, cancellationToken: CancellationToken.None);
        var rewritten = tree.GetDiagnostics(CancellationToken.None).Any(d => d.Severity == DiagnosticSeverity.Error) ? source : CancellationRewriter.Rewrite(tree);
        try
        {
            var state = await _state!.ContinueWithAsync<object>(rewritten, _options.WithFilePath(cellName), _ => true, cancellationToken)
                .ConfigureAwait(false);
            if (Volatile.Read(ref _generation) != generation)
            {
                return new CellOutcome(false, null, null, [], Interrupted: true);
            }

            _state = state;
            if (state.Exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                return new CellOutcome(false, null, null, [], Interrupted: true);
            }

            if (state.Exception is not null)
            {
                return new CellOutcome(false, null, state.Exception, [], false);
            }

            return new CellOutcome(HasTrailingValue(state.Script.GetCompilation()), state.ReturnValue, null, [], false);
        }
        catch (CompilationErrorException e)
        {
            return new CellOutcome(false, null, null, e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray(), false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new CellOutcome(false, null, null, [], Interrupted: true);
        }
    }

    /// <summary>True when the submission ends in an expression without a semicolon whose type is not void.</summary>
    private static bool HasTrailingValue(Compilation compilation)
    {
        var tree = compilation.SyntaxTrees.Last();
        var root = (CompilationUnitSyntax)tree.GetRoot();
        if (root.Members.LastOrDefault() is not GlobalStatementSyntax { Statement: ExpressionStatementSyntax statement }
            || !statement.SemicolonToken.IsMissing)
        {
            return false;
        }

        var type = compilation.GetSemanticModel(tree).GetTypeInfo(statement.Expression).Type;
        return type is not null && type.SpecialType != SpecialType.System_Void;
    }

    /// <summary>Forgets a cell that did not stop when interrupted: whatever it finishes with is discarded.</summary>
    public void Abandon() => Interlocked.Increment(ref _generation);

    /// <summary>
    /// <c>complete</c>, <c>incomplete</c> (with an indent) or <c>invalid</c>, as Jupyter's <c>is_complete_request</c> asks.
    /// </summary>
    public static (string Status, string Indent) IsComplete(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(Prepare(code), ParseOptions);
        if (!SyntaxFactory.IsCompleteSubmission(tree))
        {
            return ("incomplete", "    ");
        }

        return tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error) ? ("invalid", "") : ("complete", "");
    }

    /// <summary>
    /// Member and identifier completion at <paramref name="cursor"/> (a UTF-16 index) from Roslyn's semantic model
    /// of the cell compiled after the current state: after <c>expr.</c> the members of the expression's type (or the
    /// static members of a type, the members of a namespace), otherwise every symbol in scope.
    /// </summary>
    public (IReadOnlyList<string> Matches, int Start) Complete(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] == '_'))
        {
            start--;
        }

        var prefix = code[start..cursor];
        var compilation = Compile(code);
        var tree = compilation.SyntaxTrees.Last();
        var model = compilation.GetSemanticModel(tree);
        var symbols = ImmutableArray<ISymbol>.Empty;
        var memberAccess = start > 0 && code[start - 1] == '.';
        if (memberAccess)
        {
            var dot = tree.GetRoot().FindToken(start - 1);
            var left = dot.Parent switch
            {
                MemberAccessExpressionSyntax access => (ExpressionSyntax)access.Expression,
                QualifiedNameSyntax qualified => qualified.Left,
                _ => null,
            };
            if (left is not null)
            {
                var symbol = model.GetSymbolInfo(left).Symbol;
                if (symbol is INamespaceSymbol ns)
                {
                    symbols = model.LookupNamespacesAndTypes(start, ns);
                }
                else if (symbol is ITypeSymbol type)
                {
                    symbols = model.LookupStaticMembers(start, type);
                }
                else if (model.GetTypeInfo(left).Type is { } instanceType)
                {
                    symbols = model.LookupSymbols(start, instanceType, includeReducedExtensionMethods: true)
                        .Where(s => !s.IsStatic || s is IMethodSymbol { MethodKind: MethodKind.ReducedExtension })
                        .ToImmutableArray();
                }
            }
        }
        else
        {
            symbols = model.LookupSymbols(start);
        }

        var matches = symbols
            .Where(s => s.CanBeReferencedByName && s.Name.StartsWith(prefix, StringComparison.Ordinal) && !s.Name.StartsWith('<'))
            .Select(s => s.Name)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return (matches, start);
    }

    /// <summary>The signature and XML-doc summary of the symbol at <paramref name="cursor"/>, or null.</summary>
    public string? Inspect(string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var compilation = Compile(code);
        var tree = compilation.SyntaxTrees.Last();
        var model = compilation.GetSemanticModel(tree);
        var position = cursor > 0 && (cursor == code.Length || !char.IsLetterOrDigit(code[cursor])) ? cursor - 1 : cursor;
        var token = tree.GetRoot().FindToken(position);
        for (var node = token.Parent; node is not null; node = node.Parent)
        {
            var info = model.GetSymbolInfo(node);
            var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node);
            if (symbol is null)
            {
                continue;
            }

            var text = new StringBuilder(symbol.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
            var summary = Summary(symbol.GetDocumentationCommentXml());
            if (summary.Length > 0)
            {
                text.Append('\n').Append(summary);
            }

            return text.ToString();
        }

        return null;
    }

    private Compilation Compile(string code)
    {
        var script = _state is null
            ? CSharpScript.Create(Prepare(code), _options, typeof(KernelGlobals))
            : _state.Script.ContinueWith(Prepare(code), _options);
        return script.GetCompilation();
    }

    private static string Summary(string? xml)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            return "";
        }

        try
        {
            var element = System.Xml.Linq.XElement.Parse(xml).Element("summary");
            return element is null ? "" : string.Join(' ', element.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }
        catch (System.Xml.XmlException)
        {
            return "";
        }
    }

    /// <summary>Comments out Polyglot's <c>#!csharp</c>-style magic lines, keeping line numbers.</summary>
    internal static string Prepare(string code)
    {
        if (!code.Contains("#!", StringComparison.Ordinal))
        {
            return code;
        }

        var lines = code.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                var magic = trimmed[2..].Trim();
                if (magic is not ("csharp" or "c#" or "C#" or ""))
                {
                    throw new NotSupportedException($"line {i + 1}: '#!{magic}' names another language; this kernel runs C# only");
                }

                lines[i] = "//" + trimmed;
            }
        }

        return string.Join('\n', lines);
    }

    private static IEnumerable<MetadataReference> RuntimeReferences()
    {
        // Every assembly the host was started with (the runtime and this kernel's dependencies, Bilevel among them).
        var paths = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths.Append(typeof(Notebook).Assembly.Location).Append(typeof(KernelGlobals).Assembly.Location))
        {
            if (path.Length > 0 && File.Exists(path) && seen.Add(Path.GetFileName(path)))
            {
                yield return MetadataReference.CreateFromFile(path);
            }
        }
    }
}
