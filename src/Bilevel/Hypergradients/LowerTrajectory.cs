namespace Bilevel.Hypergradients;

/// <summary>
/// The lower-level iterates y_0, y_1, …, y_T a hypergradient is computed from, with the step size η_t used to go
/// from y_t to y_{t+1}. Methods that differentiate through the iterates (ITD, ES-ITDM, FSLA's forward recursion)
/// need the whole history; approximate implicit differentiation needs only the last point.
/// </summary>
public sealed class LowerTrajectory
{
    private double[] _iterates;
    private double[] _steps;
    private readonly bool _keepHistory;

    /// <summary>An empty trajectory for vectors of length <paramref name="dimension"/>.</summary>
    public LowerTrajectory(int dimension, bool keepHistory)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
        _keepHistory = keepHistory;
        _iterates = new double[keepHistory ? dimension * 16 : dimension];
        _steps = new double[16];
    }

    /// <summary>dy.</summary>
    public int Dimension { get; }

    /// <summary>True when every iterate is kept (otherwise only the last).</summary>
    public bool HasHistory => _keepHistory;

    /// <summary>T, the number of steps taken (iterates y_0 … y_T).</summary>
    public int Steps { get; private set; } = -1;

    /// <summary>The last iterate y_T.</summary>
    public ReadOnlySpan<double> Last => Steps < 0
        ? throw new InvalidOperationException("the trajectory has no iterate yet; call Reset first")
        : _iterates.AsSpan(_keepHistory ? Steps * Dimension : 0, Dimension);

    /// <summary>The iterate y_t, 0 ≤ t ≤ T (needs history, except for t = T).</summary>
    public ReadOnlySpan<double> Iterate(int t)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(t);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(t, Steps);
        if (t == Steps)
        {
            return Last;
        }

        return _keepHistory
            ? _iterates.AsSpan(t * Dimension, Dimension)
            : throw new InvalidOperationException("this trajectory keeps only its last iterate; create it with keepHistory: true");
    }

    /// <summary>η_t, the step from y_t to y_{t+1}, 0 ≤ t &lt; T.</summary>
    public double StepSize(int t)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(t);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(t, Steps);
        return _steps[t];
    }

    /// <summary>Starts over at y_0.</summary>
    public void Reset(ReadOnlySpan<double> start)
    {
        CheckLength(start);
        Steps = 0;
        start.CopyTo(_iterates.AsSpan(0, Dimension));
    }

    /// <summary>Appends y_{T+1}, reached from y_T with step <paramref name="stepSize"/>.</summary>
    public void Append(ReadOnlySpan<double> next, double stepSize)
    {
        CheckLength(next);
        if (Steps < 0)
        {
            throw new InvalidOperationException("call Reset with y_0 before appending iterates");
        }

        if (Steps == _steps.Length)
        {
            Array.Resize(ref _steps, _steps.Length * 2);
        }

        _steps[Steps] = stepSize;
        Steps++;
        if (_keepHistory)
        {
            if ((Steps + 1) * Dimension > _iterates.Length)
            {
                Array.Resize(ref _iterates, _iterates.Length * 2);
            }

            next.CopyTo(_iterates.AsSpan(Steps * Dimension, Dimension));
        }
        else
        {
            next.CopyTo(_iterates);
        }
    }

    /// <summary>A trajectory of one point (T = 0), for methods that use only the last iterate.</summary>
    public static LowerTrajectory FromPoint(ReadOnlySpan<double> point)
    {
        var trajectory = new LowerTrajectory(point.Length, keepHistory: false);
        trajectory.Reset(point);
        return trajectory;
    }

    private void CheckLength(ReadOnlySpan<double> y)
    {
        if (y.Length != Dimension)
        {
            throw new ArgumentException($"iterate has length {y.Length}, expected {Dimension}");
        }
    }
}
