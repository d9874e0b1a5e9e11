using System.IO.Compression;
using Bilevel.Data.Omniglot;

namespace Bilevel.Tests.Data.Omniglot;

public sealed class OneShotRunsTests
{
    private static readonly Lazy<OneShotRuns> Bundled = new(() => OneShotRuns.Load(OmniglotTestData.AllRuns));

    [Fact]
    public void Load_BundledRuns_20RunsOf20TrainingAnd20Test()
    {
        var runs = Bundled.Value;

        Assert.Equal(20, runs.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"run{i:D2}"), runs.Runs.Select(r => r.Name));
        foreach (var run in runs.Runs)
        {
            Assert.Equal(Enumerable.Range(1, 20).Select(i => $"class{i:D2}.png"), run.TrainingFiles);
            Assert.Equal(Enumerable.Range(1, 20).Select(i => $"item{i:D2}.png"), run.TestFiles);
            Assert.Equal(20 * 784, run.TrainingImages.Length);
            Assert.Equal(20 * 784, run.TestImages.Length);

            // class_labels.txt maps the 20 test items one-to-one onto the 20 training classes.
            Assert.Equal(Enumerable.Range(0, 20), run.TestLabels.ToArray().Order());
        }
    }

    [Fact]
    public void Load_Run01_LabelsFromClassLabelsTxt()
    {
        // run01/class_labels.txt begins: item01 → class08, item02 → class09, item03 → class02, item04 → class19, item05 → class10.
        var run = Bundled.Value[0];

        Assert.Equal([7, 8, 1, 18, 9], run.TestLabels[..5].ToArray());
    }

    [Fact]
    public void Images_InkConvention_InUnitRangeWithEmptyCorners()
    {
        foreach (var run in Bundled.Value.Runs)
        {
            for (var i = 0; i < 20; i++)
            {
                foreach (var image in new[] { run.TrainingImage(i).ToArray(), run.TestImage(i).ToArray() })
                {
                    Assert.All(image, v => Assert.InRange(v, 0f, 1f));
                    Assert.InRange(image.Average(), 0.01, 0.3);
                    Assert.Equal(0f, image[0]);
                }
            }
        }
    }

    [Fact]
    public void Load_ExtractedFolder_SameAsZip()
    {
        var folder = ExtractRuns("run05");
        try
        {
            var fromFolder = Assert.Single(OneShotRuns.Load(folder).Runs);

            Assert.Equal("run05", fromFolder.Name);
            Assert.True(fromFolder.TrainingImages.SequenceEqual(Bundled.Value[4].TrainingImages));
            Assert.True(fromFolder.TestImages.SequenceEqual(Bundled.Value[4].TestImages));
            Assert.True(fromFolder.TestLabels.SequenceEqual(Bundled.Value[4].TestLabels));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("run01/test/item01.png run01/training/class08.png extra", "line 1: expected \"run01/test/<item>.png run01/training/<class>.png\", got 3 fields")]
    [InlineData("run01/test/item01.png run01/training/class99.png", "line 1: run01/training/class99.png is not an image of run01")]
    [InlineData("run01/test/item01.png run02/training/class08.png", "line 1: \"run02/training/class08.png\" does not start with run01/training/")]
    public void Load_BadClassLabelsLine_FailsNamingLine(string firstLine, string message)
    {
        WithEditedRun01Labels(
            lines => lines[0] = firstLine,
            (folder, e) =>
            {
                Assert.StartsWith(Path.Combine(folder, "run01", "class_labels.txt") + ": ", e.Message, StringComparison.Ordinal);
                Assert.Contains(message, e.Message, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Load_TestItemLabelledTwice_Fails()
    {
        WithEditedRun01Labels(
            lines => lines[1] = lines[0],
            (_, e) => Assert.Contains("line 2: run01/test/item01.png is labelled twice", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_MissingTrainingImage_Fails()
    {
        var folder = ExtractRuns("run03");
        try
        {
            File.Delete(Path.Combine(folder, "run03", "training", "class05.png"));

            var e = Assert.Throws<InvalidDataException>(() => OneShotRuns.Load(folder));
            Assert.Contains("run03 has 19 training and 20 test images, expected 20 and 20", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Load_MissingFile_FileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => OneShotRuns.Load("/no/such/all_runs.zip"));
    }

    private static void WithEditedRun01Labels(Action<string[]> edit, Action<string, InvalidDataException> check)
    {
        var folder = ExtractRuns("run01");
        try
        {
            var labels = Path.Combine(folder, "run01", "class_labels.txt");
            var lines = File.ReadAllLines(labels);
            edit(lines);
            File.WriteAllLines(labels, lines);

            check(folder, Assert.Throws<InvalidDataException>(() => OneShotRuns.Load(folder)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Extracts only the named run of the bundled zip into a fresh temp folder.</summary>
    private static string ExtractRuns(string run)
    {
        var folder = OmniglotTestData.TempFolder();
        using var zip = ZipFile.OpenRead(OmniglotTestData.AllRuns);
        foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith(run + "/", StringComparison.Ordinal) && e.Name.Length > 0))
        {
            var target = Path.Combine(folder, entry.FullName);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            entry.ExtractToFile(target);
        }

        return folder;
    }
}
