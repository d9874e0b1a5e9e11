using System.Globalization;
using System.Text.Json;
using Bilevel.Solvers;
using Bilevel.Tests.TestSupport;
using Bilevel.Traces;

namespace Bilevel.Tests.Traces;

/// <summary>Traces of real runs as CSV and as Plotly figures with a min–max band over 3 seeds, for every solver.</summary>
public sealed class TraceOutputTests
{
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var descriptor in SolverCatalog.All)
            {
                data.Add(descriptor.Info.Name);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Convergence_ThreeSeeds_RendersMedianWithMinMaxBand(string name)
    {
        var descriptor = SolverCatalog.Get(name);
        var traces = SolverRunner.RunSeeds(descriptor.Create(descriptor.ConvergenceCheck.Settings), SolverKit.CheckProblem(),
            new RunSettings(new RunBudget(20)) { Schedule = EvaluationSchedule.Periodic(5) }, [0, 1, 2]);
        var figure = TraceFigures.Convergence([traces], TraceAxis.Iterations, TraceQuantity.HypergradientNorm);
        using var json = JsonDocument.Parse(figure.ToJson());
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
        Assert.Equal("tonexty", data[1].GetProperty("fill").GetString());
        var band = TraceBand.Aggregate(traces, TraceAxis.Iterations, TraceQuantity.HypergradientNorm);
        var upper = data[0].GetProperty("y");
        var lower = data[1].GetProperty("y");
        var center = data[2].GetProperty("y");
        for (var i = 0; i < band.X.Length; i++)
        {
            Assert.Equal(band.Max[i], upper[i].GetDouble(), 12);
            Assert.Equal(band.Min[i], lower[i].GetDouble(), 12);
            Assert.Equal(band.Median[i], center[i].GetDouble(), 12);
            Assert.True(band.Min[i] <= band.Median[i] && band.Median[i] <= band.Max[i]);
        }

        Assert.Contains("3 seeds", data[2].GetProperty("name").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AddNamed_AxisScale_MultipliesEveryXValue()
    {
        var descriptor = SolverCatalog.Get("aid-bio");
        var traces = SolverRunner.RunSeeds(descriptor.Create(descriptor.ConvergenceCheck.Settings), SolverKit.CheckProblem(),
            new RunSettings(new RunBudget(6)) { Schedule = EvaluationSchedule.Periodic(2) }, [0, 1]);
        var plain = new Bilevel.Plotting.Figure("plain");
        var scaled = new Bilevel.Plotting.Figure("scaled");
        TraceFigures.AddNamed(plain, [("AID-BiO", traces)], TraceAxis.Iterations, TraceQuantity.UpperLoss);
        TraceFigures.AddNamed(scaled, [("AID-BiO", traces)], TraceAxis.Iterations, TraceQuantity.UpperLoss, axisScale: 0.25);
        using var a = JsonDocument.Parse(plain.ToJson());
        using var b = JsonDocument.Parse(scaled.ToJson());
        var x = a.RootElement.GetProperty("data")[2].GetProperty("x");
        var xScaled = b.RootElement.GetProperty("data")[2].GetProperty("x");
        Assert.Equal([0, 2, 4, 6], x.EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([0, 0.5, 1, 1.5], xScaled.EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(a.RootElement.GetProperty("data")[2].GetProperty("y").ToString(), b.RootElement.GetProperty("data")[2].GetProperty("y").ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceFigures.AddNamed(scaled, [("AID-BiO", traces)], TraceAxis.Iterations, TraceQuantity.UpperLoss, axisScale: 0));
    }

    [Fact]
    public void Write_Csv_HasHeaderAndOneLinePerRow()
    {
        var descriptor = SolverCatalog.Get("aid-bio");
        var traces = SolverRunner.RunSeeds(descriptor.Create(descriptor.ConvergenceCheck.Settings), SolverKit.CheckProblem(),
            new RunSettings(new RunBudget(4)) { Schedule = EvaluationSchedule.Periodic(1) }, [0, 1]);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        TraceCsv.Write(writer, traces);
        var lines = writer.ToString().TrimEnd().Split('\n');
        Assert.Equal(1 + 10, lines.Length);
        Assert.Equal(string.Join(',', TraceCsv.Columns), lines[0].TrimEnd('\r'));
        var last = SplitCsv(lines[^1].TrimEnd('\r'));
        Assert.Equal(traces[1].Problem, last[1]);
        Assert.Equal("aid-bio", last[0]);
        Assert.Equal("1", last[2]);
        Assert.Equal("4", last[3]);
        var norm = double.Parse(last[16], CultureInfo.InvariantCulture);
        Assert.Equal(traces[1].Final.HypergradientNorm!.Value, norm);
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
