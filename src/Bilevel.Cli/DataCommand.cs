using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bilevel.Data;
using Bilevel.Data.Images;
using Bilevel.Data.Omniglot;
using Spectre.Console;

namespace Bilevel.Cli;

/// <summary>
/// <c>bilevel data list</c>: every dataset the workbook knows, where it was found, and its counts (read from the files,
/// not from a table); <c>bilevel data inspect PATH</c>: recognise one file's format and print its shape and counts.
/// </summary>
internal static partial class DataCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>One dataset as found on this machine.</summary>
    internal sealed record DatasetReport(string Name, bool Found, string Location, IReadOnlyDictionary<string, long> Counts, string? Problem);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON on stdout" };
        var list = new Command("list", "List every dataset the workbook knows, where it was found and its counts") { json };
        list.SetAction(parse =>
        {
            var reports = ListAll(DataLocator.FromEnvironment());
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(reports, JsonOptions));
            }
            else
            {
                var console = CliRunner.CreateConsole(Console.Out);
                var table = new Table().Title("Datasets");
                table.AddColumn("dataset");
                table.AddColumn("found");
                table.AddColumn("counts");
                table.AddColumn("location");
                foreach (var r in reports)
                {
                    table.AddRow(Markup.Escape(r.Name), r.Found ? "yes" : "NO",
                        Markup.Escape(r.Found ? string.Join(", ", r.Counts.Select(c => $"{c.Key} {c.Value}")) : r.Problem ?? ""),
                        Markup.Escape(r.Location));
                }

                console.Write(table);
            }

            return reports.All(r => r.Found) ? 0 : 1;
        });

        var path = new Argument<string>("path") { Description = "A dataset file or folder" };
        var inspect = new Command("inspect", "Recognise a dataset file's format and print its shape, counts and class balance") { path, json };
        inspect.SetAction(parse =>
        {
            var target = parse.GetValue(path)!;
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                throw new FileNotFoundException($"{target}: no such file or folder", target);
            }

            var report = Inspect(target);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            }
            else
            {
                Console.Out.WriteLine($"{report.Name}: {string.Join(", ", report.Counts.Select(c => $"{c.Key} {c.Value}"))} ({report.Location})");
            }

            return 0;
        });

        return new Command("data", "The workbook's datasets") { list, inspect };
    }

    internal static List<DatasetReport> ListAll(DataLocator locator)
    {
        var reports = new List<DatasetReport>
        {
            Probe("MNIST (test images)", () => Mnist(locator, DatasetCatalog.MnistTest)),
            Probe("Fashion-MNIST (train)", () => Mnist(locator, DatasetCatalog.FashionMnistTrain)),
            Probe("Fashion-MNIST (test)", () => Mnist(locator, DatasetCatalog.FashionMnistTest)),
            Probe("Omniglot (background subsets)", () =>
            {
                var small1 = locator.Resolve("omniglot/images_background_small1.zip");
                var small2 = locator.Resolve("omniglot/images_background_small2.zip");
                var omniglot = OmniglotDataset.Load(small1, small2);
                return (Path.GetDirectoryName(small1)!, new Dictionary<string, long>
                {
                    ["alphabets"] = omniglot.Alphabets.Count,
                    ["characters"] = omniglot.CharacterCount,
                    ["images"] = omniglot.ImageCount,
                });
            }),
            Probe("Omniglot (20 one-shot runs)", () =>
            {
                var file = locator.Resolve("omniglot/all_runs.zip");
                var runs = OneShotRuns.Load(file);
                long training = 0, test = 0;
                foreach (var run in runs.Runs)
                {
                    training += run.TrainingFiles.Count;
                    test += run.TestFiles.Count;
                }

                return (file, new Dictionary<string, long> { ["runs"] = runs.Count, ["training images"] = training, ["test images"] = test });
            }),
        };
        AddTextDatasets(reports, locator);
        return reports;
    }

    private static (string Location, Dictionary<string, long> Counts) Mnist(DataLocator locator, DatasetInfo dataset)
    {
        var set = MnistFamily.Load(dataset, locator);
        var images = locator.Resolve(dataset.File(DatasetFileKind.Images).RelativePath);
        return (images, new Dictionary<string, long> { ["images"] = set.Count, ["classes"] = set.ClassCount, ["rows"] = set.Rows, ["columns"] = set.Columns });
    }

    /// <summary>Runs a probe; a missing or malformed dataset becomes a report line, never an exception.</summary>
    internal static DatasetReport Probe(string name, Func<(string Location, Dictionary<string, long> Counts)> probe)
    {
        try
        {
            var (location, counts) = probe();
            return new DatasetReport(name, true, location, counts, null);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return new DatasetReport(name, false, "", new Dictionary<string, long>(), CliRunner.FirstLine(e.Message));
        }
    }

    internal static DatasetReport Inspect(string path)
    {
        var name = Path.GetFileName(path.TrimEnd('/'));
        if (name.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            var image = PngDecoder.Decode(File.ReadAllBytes(path), path);
            return new DatasetReport("PNG image", true, path, new Dictionary<string, long>
            {
                ["width"] = image.Width,
                ["height"] = image.Height,
                ["channels"] = image.Channels,
                ["bit depth"] = image.BitDepth,
            }, null);
        }

        if (name.Contains("idx", StringComparison.OrdinalIgnoreCase) || name.Contains("-ubyte", StringComparison.OrdinalIgnoreCase))
        {
            var array = IdxReader.Read(path);
            var counts = new Dictionary<string, long> { ["items"] = array.Dimensions[0] };
            for (var d = 1; d < array.Dimensions.Length; d++)
            {
                counts[$"dimension {d}"] = array.Dimensions[d];
            }

            if (array.Dimensions.Length == 1)
            {
                var labels = IdxReader.ReadLabels(path);
                var histogram = new SortedDictionary<int, long>();
                foreach (var label in labels)
                {
                    histogram[label] = histogram.GetValueOrDefault(label) + 1;
                }

                foreach (var (label, count) in histogram)
                {
                    counts[string.Create(CultureInfo.InvariantCulture, $"label {label}")] = count;
                }
            }

            return new DatasetReport("IDX", true, path, counts, null);
        }

        if (name.Equals("all_runs.zip", StringComparison.OrdinalIgnoreCase))
        {
            var runs = OneShotRuns.Load(path);
            return new DatasetReport("Omniglot one-shot runs", true, path, new Dictionary<string, long> { ["runs"] = runs.Count }, null);
        }

        if (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || Directory.Exists(path))
        {
            var omniglot = OmniglotDataset.Load(path);
            return new DatasetReport("Omniglot", true, path, new Dictionary<string, long>
            {
                ["alphabets"] = omniglot.Alphabets.Count,
                ["characters"] = omniglot.CharacterCount,
                ["images"] = omniglot.ImageCount,
            }, null);
        }

        var text = InspectText(path, name);
        return text ?? throw new InvalidDataException($"{path}: format not recognised (known: IDX (.gz), PNG, Omniglot zip/folder, all_runs.zip, FDU-MTL/Blitzer/20 Newsgroups .tar.gz, Sentiment140 .csv, GloVe .txt)");
    }
}
