using System.Text.Json;

namespace Bilevel.Tests.Kernel;

/// <summary>The kernel as Jupyter runs it: a separate process driven through ZeroMQ by jupyter_client.</summary>
public sealed class KernelProcessTests
{
    [Fact]
    public void JupyterKernelTestSuite_BilevelKernel_Passes()
    {
        var (code, output, error) = JupyterClient.RunScript("kernel_conformance.py", TimeSpan.FromMinutes(4));
        var report = output + error;
        Assert.True(code == 0, report);
        Assert.Contains("Ran 12 tests", report, StringComparison.Ordinal);
        Assert.Contains("OK (skipped=2)", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_ThrowCompileErrorInterruptStreamAndDisplay_BehavesAsSpecified()
    {
        var (code, output, error) = JupyterClient.RunScript("kernel_behaviour.py", TimeSpan.FromMinutes(4));
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        using var document = JsonDocument.Parse(output);
        var r = document.RootElement;

        Assert.Equal("error", r.GetProperty("throw_status").GetString());
        Assert.Equal("InvalidOperationException", r.GetProperty("throw_ename").GetString());
        Assert.Equal("2", r.GetProperty("after_throw").GetString());

        Assert.Equal("error", r.GetProperty("compile_status").GetString());
        Assert.StartsWith("cell[4] line 1, column 14: error CS1525", r.GetProperty("compile_traceback")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("3", r.GetProperty("after_compile_error").GetString());

        Assert.Equal("error", r.GetProperty("loop_status").GetString());
        Assert.Equal("Interrupted", r.GetProperty("loop_ename").GetString());
        Assert.InRange(r.GetProperty("loop_seconds").GetDouble(), 0.9, 4.0);
        Assert.Equal("4", r.GetProperty("after_interrupt").GetString());

        // A cell printing once a second for 5 s: the first line reaches the client within 1.5 s of the request.
        Assert.InRange(r.GetProperty("stream_first_seconds").GetDouble(), 0.0, 1.5);
        Assert.InRange(r.GetProperty("stream_cell_seconds").GetDouble(), 4.9, 30.0);
        Assert.Equal("tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n", r.GetProperty("stream_text").GetString());

        Assert.Equal("display_data,update_display_data", string.Join(",", r.GetProperty("display_types").EnumerateArray().Select(e => e.GetString())));
        Assert.True(r.GetProperty("display_same_id").GetBoolean());
        Assert.True(r.GetProperty("plotly_is_object").GetBoolean());
        Assert.Equal(1, r.GetProperty("plotly_traces").GetInt32());
        Assert.Equal("10", r.GetProperty("polyglot").GetString());
        Assert.Equal("error", r.GetProperty("stdin_status").GetString());
        Assert.False(r.GetProperty("forged_answered").GetBoolean());
        Assert.Equal("kernel_info_reply", r.GetProperty("after_forged").GetString());
        Assert.Equal("error", r.GetProperty("after_restart_status").GetString());
        Assert.Equal("2", r.GetProperty("after_restart_value").GetString());
    }
}
