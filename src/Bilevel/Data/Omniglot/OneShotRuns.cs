using System.Text;
using System.Text.RegularExpressions;

namespace Bilevel.Data.Omniglot;

/// <summary>
/// The 20 official Omniglot 20-way one-shot classification runs (Lake et al., Science 2015; brendenlake/omniglot
/// <c>python/one-shot-classification/all_runs.zip</c>): each run <c>runNN/</c> holds 20 training images
/// <c>training/classNN.png</c> (one drawing of each of 20 characters from the evaluation alphabets), 20 test images
/// <c>test/itemNN.png</c> (another drawing of each) and <c>class_labels.txt</c>, whose lines
/// <c>runNN/test/itemNN.png runNN/training/classMM.png</c> give each test image's class. Images are converted as in
/// <see cref="OmniglotDataset"/>: 28×28, ink = 1, background = 0.
/// </summary>
public sealed partial class OneShotRuns
{
    /// <summary>Training (and test) images per official run.</summary>
    public const int ImagesPerRun = 20;

    private OneShotRuns(IReadOnlyList<OneShotRun> runs) => Runs = runs;

    /// <summary>Runs sorted by name (run01, run02, …).</summary>
    public IReadOnlyList<OneShotRun> Runs { get; }

    public int Count => Runs.Count;

    public OneShotRun this[int index] => Runs[index];

    /// <summary>
    /// Reads the runs from a zip (like the bundled <c>data/omniglot/all_runs.zip</c>) or an extracted folder, whose
    /// top level (or one folder below it) holds the <c>runNN</c> folders. Each run must have 20 training and 20 test
    /// images and a <c>class_labels.txt</c> naming each test image exactly once.
    /// </summary>
    public static OneShotRuns Load(string zipOrFolder)
    {
        var entries = OmniglotImages.List(zipOrFolder, out var archive);
        using (archive)
        {
            var runs = new SortedDictionary<string, RunFiles>(StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var parts = entry.RelativePath.Split('/');
                var runIndex = Array.FindIndex(parts, p => RunPattern().IsMatch(p));
                if (runIndex is < 0 or > 1)
                {
                    continue; // not inside a runNN folder (e.g. a README next to them)
                }

                var run = parts[runIndex];
                if (!runs.TryGetValue(run, out var files))
                {
                    files = new RunFiles();
                    runs.Add(run, files);
                }

                var rest = parts[(runIndex + 1)..];
                if (rest is ["class_labels.txt"])
                {
                    files.Labels = entry;
                }
                else if (rest is ["training", var t] && t.EndsWith(".png", StringComparison.Ordinal))
                {
                    files.Training.Add(t, entry);
                }
                else if (rest is ["test", var q] && q.EndsWith(".png", StringComparison.Ordinal))
                {
                    files.Test.Add(q, entry);
                }
                else
                {
                    throw new InvalidDataException($"{entry.SourceName}: unexpected file in a one-shot run (expected class_labels.txt, training/*.png or test/*.png)");
                }
            }

            if (runs.Count == 0)
            {
                throw new InvalidDataException($"{zipOrFolder}: no runNN folders found");
            }

            var result = new List<OneShotRun>(runs.Count);
            foreach (var (name, files) in runs)
            {
                result.Add(files.Build(name, zipOrFolder));
            }

            return new OneShotRuns(result);
        }
    }

    [GeneratedRegex(@"^run\d{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex RunPattern();

    private sealed class RunFiles
    {
        public SortedDictionary<string, OmniglotImages.Entry> Training { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, OmniglotImages.Entry> Test { get; } = new(StringComparer.Ordinal);

        public OmniglotImages.Entry? Labels { get; set; }

        public OneShotRun Build(string name, string source)
        {
            if (Labels is null)
            {
                throw new InvalidDataException($"{source}: {name}/class_labels.txt is missing");
            }

            if (Training.Count != ImagesPerRun || Test.Count != ImagesPerRun)
            {
                throw new InvalidDataException($"{source}: {name} has {Training.Count} training and {Test.Count} test images, expected {ImagesPerRun} and {ImagesPerRun}");
            }

            var trainingNames = Training.Keys.ToArray();
            var testNames = Test.Keys.ToArray();
            var labels = new int[testNames.Length];
            Array.Fill(labels, -1);
            var text = Encoding.UTF8.GetString(Labels.Read());
            var lines = text.Split('\n');
            var lineNumber = 0;
            var assigned = 0;
            foreach (var raw in lines)
            {
                lineNumber++;
                var line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                var where = $"{Labels.SourceName}: line {lineNumber}";
                if (fields.Length != 2)
                {
                    throw new InvalidDataException($"{where}: expected \"{name}/test/<item>.png {name}/training/<class>.png\", got {fields.Length} fields");
                }

                var test = Array.IndexOf(testNames, Strip(fields[0], name, "test", where));
                var training = Array.IndexOf(trainingNames, Strip(fields[1], name, "training", where));
                if (test < 0 || training < 0)
                {
                    throw new InvalidDataException($"{where}: {(test < 0 ? fields[0] : fields[1])} is not an image of {name}");
                }

                if (labels[test] >= 0)
                {
                    throw new InvalidDataException($"{where}: {fields[0]} is labelled twice");
                }

                labels[test] = training;
                assigned++;
            }

            if (assigned != testNames.Length)
            {
                throw new InvalidDataException($"{Labels.SourceName}: labels {assigned} of {testNames.Length} test images");
            }

            return new OneShotRun(name, trainingNames, testNames, labels, Decode(Training.Values), Decode(Test.Values));
        }

        private static string Strip(string path, string run, string folder, string where)
        {
            var prefix = $"{run}/{folder}/";
            return path.StartsWith(prefix, StringComparison.Ordinal)
                ? path[prefix.Length..]
                : throw new InvalidDataException($"{where}: \"{path}\" does not start with {prefix}");
        }

        private static float[] Decode(IEnumerable<OmniglotImages.Entry> entries)
        {
            var pixels = new float[ImagesPerRun * OmniglotDataset.PixelCount];
            var i = 0;
            foreach (var entry in entries)
            {
                OmniglotImages.ToInk(entry.Read(), entry.SourceName, OmniglotDataset.ImageSize).CopyTo(pixels, i * OmniglotDataset.PixelCount);
                i++;
            }

            return pixels;
        }
    }
}

/// <summary>One official 20-way one-shot run: 20 training images (one per class) and 20 labelled test images.</summary>
public sealed class OneShotRun
{
    private readonly float[] _training;
    private readonly float[] _test;
    private readonly int[] _testLabels;

    internal OneShotRun(string name, IReadOnlyList<string> trainingFiles, IReadOnlyList<string> testFiles, int[] testLabels, float[] training, float[] test)
    {
        Name = name;
        TrainingFiles = trainingFiles;
        TestFiles = testFiles;
        _testLabels = testLabels;
        _training = training;
        _test = test;
    }

    /// <summary>Folder name, e.g. <c>run07</c>.</summary>
    public string Name { get; }

    /// <summary>Training file names (<c>class01.png</c> …), sorted; class label i is TrainingFiles[i].</summary>
    public IReadOnlyList<string> TrainingFiles { get; }

    /// <summary>Test file names (<c>item01.png</c> …), sorted.</summary>
    public IReadOnlyList<string> TestFiles { get; }

    /// <summary>For each test image, the index of its training image (its class), from <c>class_labels.txt</c>.</summary>
    public ReadOnlySpan<int> TestLabels => _testLabels;

    /// <summary>Training images back to back: 20·784 floats, ink = 1.</summary>
    public ReadOnlySpan<float> TrainingImages => _training;

    /// <summary>Test images back to back: 20·784 floats, ink = 1.</summary>
    public ReadOnlySpan<float> TestImages => _test;

    public ReadOnlySpan<float> TrainingImage(int index) => Slice(_training, index);

    public ReadOnlySpan<float> TestImage(int index) => Slice(_test, index);

    private static ReadOnlySpan<float> Slice(float[] images, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, images.Length / OmniglotDataset.PixelCount);
        return images.AsSpan(index * OmniglotDataset.PixelCount, OmniglotDataset.PixelCount);
    }
}
