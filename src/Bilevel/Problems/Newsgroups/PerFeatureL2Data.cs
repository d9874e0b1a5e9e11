using Bilevel.Data.Text;

namespace Bilevel.Problems.Newsgroups;

/// <summary>Sparse feature rows (a CSR matrix, one row per example) and their class labels.</summary>
public sealed record SparseLabeledSet
{
    /// <exception cref="ArgumentException">The label count differs from the row count.</exception>
    public SparseLabeledSet(SparseMatrix features, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != features.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {features.Rows} feature rows", nameof(labels));
        }

        Features = features;
        Labels = labels;
    }

    public SparseMatrix Features { get; }

    public int[] Labels { get; }

    /// <summary>Examples (rows).</summary>
    public int Count => Labels.Length;
}

/// <summary>
/// The data of a per-feature L2 problem: training rows for the lower level, validation rows for the upper level and
/// test rows for the traced metrics, all over the same p features and c classes.
/// </summary>
/// <param name="Name">A short name for tables and traces.</param>
/// <param name="ClassCount">c.</param>
/// <param name="Train">The lower level's rows.</param>
/// <param name="Validation">The upper level's rows.</param>
/// <param name="Test">Rows for test accuracy and loss.</param>
/// <param name="Description">How the data were made (source, vectorizer, split), for reports.</param>
public sealed record PerFeatureL2Data(string Name, int ClassCount, SparseLabeledSet Train, SparseLabeledSet Validation, SparseLabeledSet Test, string Description = "")
{
    /// <summary>p, the number of features (columns).</summary>
    public int FeatureCount => Train.Features.Columns;

    /// <summary>The term of each feature column, when the features come from a vectorizer (null otherwise).</summary>
    public IReadOnlyList<string>? Terms { get; init; }

    /// <summary>Checks that the three splits share p, are not empty and have labels in [0, c).</summary>
    /// <exception cref="ArgumentException">They do not.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ClassCount, 2, nameof(ClassCount));
        foreach (var (split, name) in new[] { (Train, "train"), (Validation, "validation"), (Test, "test") })
        {
            ArgumentNullException.ThrowIfNull(split, name);
            if (split.Count == 0)
            {
                throw new ArgumentException($"the {name} split is empty");
            }

            if (split.Features.Columns != FeatureCount)
            {
                throw new ArgumentException($"the {name} split has {split.Features.Columns} features, the train split {FeatureCount}");
            }

            foreach (var label in split.Labels)
            {
                if ((uint)label >= (uint)ClassCount)
                {
                    throw new ArgumentException($"{name} label {label} is outside the {ClassCount} classes");
                }
            }
        }
    }

    public override string ToString() => $"{Name}: p = {FeatureCount}, c = {ClassCount}, {Train.Count}/{Validation.Count}/{Test.Count} rows";
}
