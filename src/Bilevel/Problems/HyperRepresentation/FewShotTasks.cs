using Bilevel.Data.Omniglot;

namespace Bilevel.Problems.HyperRepresentation;

/// <summary>Task pools for <see cref="FewShotHyperRepresentationProblem{T}"/>.</summary>
public static class FewShotTasks
{
    /// <summary><paramref name="count"/> N-way K-shot Q-query episodes drawn from <paramref name="sampler"/>, in draw order.</summary>
    public static Episode[] Sample(EpisodeSampler sampler, int count, int ways, int shots, int queries)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var episodes = new Episode[count];
        for (var i = 0; i < count; i++)
        {
            episodes[i] = sampler.Sample(ways, shots, queries);
        }

        return episodes;
    }
}
