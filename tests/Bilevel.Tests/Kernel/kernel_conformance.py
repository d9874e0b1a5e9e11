"""Debian's jupyter_kernel_test suite against the bilevel-csharp kernel (run by KernelConformanceTests)."""
import unittest

import jupyter_kernel_test


class BilevelCSharpKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "bilevel-csharp"
    language_name = "csharp"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("to stderr");'

    completion_samples = [
        {"text": "Math.Ab", "matches": {"Abs"}},
        {"text": 'var word = "x"; word.ToUpperInv', "matches": {"ToUpperInvariant"}},
        {"text": "Bilevel.Problems.QuadraticBilevelProblem.CreateR", "matches": {"CreateRandom"}},
    ]

    complete_code_samples = ["1 + 1", "var x = 1;", "class C { }", 'Console.WriteLine("a")']
    incomplete_code_samples = ["for (var i = 0; i < 3; i++) {", "var list = new[] { 1,", "if (true)"]
    invalid_code_samples = ["int y = ;", "var x = );"]

    code_generate_error = 'throw new InvalidOperationException("boom");'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"text"', "result": "text"},
        {"code": "0.1 + 0.2", "result": "0.30000000000000004"},
    ]

    code_display_data = [
        {"code": "display(42);", "mime": "text/plain"},
        {"code": 'display(new Bilevel.Plotting.Figure("t"));', "mime": "application/vnd.plotly.v1+json"},
        {"code": 'display(new Bilevel.Plotting.Figure("t"));', "mime": "text/html"},
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 *"

    code_inspect_sample = "Math.Abs"


if __name__ == "__main__":
    unittest.main(verbosity=2)
