using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Bilevel.Kernel.Execution;

/// <summary>
/// Makes a cell interruptible: every loop body gets a call to
/// <see cref="Bilevel.Interactive.Notebook.ThrowIfCancellationRequested"/> first, so <c>while (true) { }</c> stops on
/// <c>interrupt_request</c>. The call is inserted on the body's own line, so line numbers in errors stay the cell's.
/// </summary>
internal sealed class CancellationRewriter : CSharpSyntaxRewriter
{
    private static readonly StatementSyntax Check =
        SyntaxFactory.ParseStatement("global::Bilevel.Interactive.Notebook.ThrowIfCancellationRequested();");

    public static string Rewrite(SyntaxTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        return new CancellationRewriter().Visit(tree.GetRoot()).ToFullString();
    }

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node) =>
        base.VisitWhileStatement(node) is WhileStatementSyntax visited ? visited.WithStatement(Guard(visited.Statement)) : null;

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node) =>
        base.VisitDoStatement(node) is DoStatementSyntax visited ? visited.WithStatement(Guard(visited.Statement)) : null;

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node) =>
        base.VisitForStatement(node) is ForStatementSyntax visited ? visited.WithStatement(Guard(visited.Statement)) : null;

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node) =>
        base.VisitForEachStatement(node) is ForEachStatementSyntax visited ? visited.WithStatement(Guard(visited.Statement)) : null;

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node) =>
        base.VisitForEachVariableStatement(node) is ForEachVariableStatementSyntax visited ? visited.WithStatement(Guard(visited.Statement)) : null;

    private static BlockSyntax Guard(StatementSyntax body)
    {
        var leading = body.GetLeadingTrivia();
        var trailing = body.GetTrailingTrivia();
        var inner = body.WithoutLeadingTrivia().WithoutTrailingTrivia();
        return SyntaxFactory.Block(Check, inner)
            .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithLeadingTrivia(leading))
            .WithCloseBraceToken(SyntaxFactory.Token(SyntaxKind.CloseBraceToken).WithTrailingTrivia(trailing));
    }
}
