namespace Bilevel.Interactive;

/// <summary>How much compute an experiment spends: chosen by the <c>BILEVEL_PROFILE</c> environment variable.</summary>
public enum ExperimentProfile
{
    /// <summary>Seconds; what CI runs.</summary>
    Smoke,

    /// <summary>Minutes on a laptop CPU; what the README's main command runs.</summary>
    Default,

    /// <summary>The paper's full settings.</summary>
    Paper,
}

/// <summary>Reads the experiment profile.</summary>
public static class ExperimentProfiles
{
    /// <summary>The environment variable that selects the profile.</summary>
    public const string EnvironmentVariable = "BILEVEL_PROFILE";

    /// <summary>The profile named by <c>BILEVEL_PROFILE</c> (unset or empty: <see cref="ExperimentProfile.Default"/>).</summary>
    /// <exception cref="ArgumentException">The variable names no profile (one line naming the value and the choices).</exception>
    public static ExperimentProfile Current => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable), EnvironmentVariable);

    /// <summary>Parses <c>smoke</c>, <c>default</c> or <c>paper</c> (case-insensitive); empty means default.</summary>
    public static ExperimentProfile Parse(string? text, string source = "profile")
    {
        var value = text?.Trim() ?? "";
        return value.ToUpperInvariant() switch
        {
            "" or "DEFAULT" => ExperimentProfile.Default,
            "SMOKE" => ExperimentProfile.Smoke,
            "PAPER" => ExperimentProfile.Paper,
            _ => throw new ArgumentException($"{source} '{value}' is not a profile: use smoke, default or paper"),
        };
    }

    /// <summary>Picks the value for the profile.</summary>
    public static T Choose<T>(this ExperimentProfile profile, T smoke, T @default, T paper) => profile switch
    {
        ExperimentProfile.Smoke => smoke,
        ExperimentProfile.Paper => paper,
        _ => @default,
    };
}
