using Bilevel.Data;
using Bilevel.Data.Text;

namespace Bilevel.Cli;

internal static partial class DataCommand
{
    private static readonly string[] Sentiment140Files =
        ["testdata.manual.2009.06.14.csv", "train-random10k.csv", "train-head10k-tail10k.csv"];

    private static void AddTextDatasets(List<DatasetReport> reports, DataLocator locator)
    {
        reports.Add(Probe("Amazon reviews, FDU-MTL", () =>
        {
            var file = locator.Resolve("amazon-reviews/fdu-mtl.tar.gz");
            return (file, FduMtl(FduMtlReader.Read(file)));
        }));
        reports.Add(Probe("Amazon reviews, Blitzer et al. (sorted_data_acl)", () =>
        {
            var file = locator.Resolve("amazon-reviews/blitzer-sorted-data-acl.tar.gz");
            return (file, Blitzer(BlitzerReader.Read(file)));
        }));
        reports.Add(Probe("Sentiment140 subsets", () =>
        {
            var counts = new Dictionary<string, long>();
            var location = "";
            foreach (var name in Sentiment140Files)
            {
                var file = locator.Resolve($"sentiment140/{name}");
                location = Path.GetDirectoryName(file)!;
                counts[name] = Sentiment140Reader.Read(file).Count;
            }

            return (location, counts);
        }));
        reports.Add(Probe("20 Newsgroups (bydate)", () =>
        {
            var file = locator.Resolve("20newsgroups/20news-bydate.tar.gz");
            return (file, Newsgroups(NewsgroupsReader.Read(file)));
        }));
        foreach (var name in new[] { "glove.6B.50d.top5050.txt", "glove.6B.100d.top2604.txt" })
        {
            reports.Add(Probe($"GloVe {name}", () =>
            {
                var file = locator.Resolve($"glove/{name}");
                var vectors = GloveReader.Read(file);
                return (file, new Dictionary<string, long> { ["words"] = vectors.Count, ["dimension"] = vectors.Dimension });
            }));
        }
    }

    private static Dictionary<string, long> FduMtl(FduMtlDataset data)
    {
        var counts = new Dictionary<string, long>
        {
            ["domains"] = data.Domains.Count,
            ["amazon domains"] = data.AmazonDomains.Count,
            ["reviews"] = data.Reviews.Count,
        };
        foreach (var domain in data.Domains)
        {
            counts[$"{domain} train"] = data.Count(domain, FduMtlSplit.Train);
            counts[$"{domain} test"] = data.Count(domain, FduMtlSplit.Test);
        }

        return counts;
    }

    private static Dictionary<string, long> Blitzer(BlitzerDataset data)
    {
        var counts = new Dictionary<string, long> { ["domains"] = data.Domains.Count };
        foreach (var domain in data.Domains)
        {
            counts[$"{domain} positive"] = data.Count(domain, 1);
            counts[$"{domain} negative"] = data.Count(domain, 0);
        }

        return counts;
    }

    private static Dictionary<string, long> Newsgroups(NewsgroupsDataset data) => new()
    {
        ["groups"] = data.Groups.Count,
        ["train"] = data.Train.Count,
        ["test"] = data.Test.Count,
    };

    private static DatasetReport? InspectText(string path, string name)
    {
        if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            var tweets = Sentiment140Reader.Read(path);
            var counts = new Dictionary<string, long> { ["rows"] = tweets.Count };
            foreach (var tweet in tweets)
            {
                var key = $"polarity {tweet.Polarity}";
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            return new DatasetReport("Sentiment140 CSV", true, path, counts, null);
        }

        if (name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            var vectors = GloveReader.Read(path);
            return new DatasetReport("GloVe text vectors", true, path, new Dictionary<string, long> { ["words"] = vectors.Count, ["dimension"] = vectors.Dimension }, null);
        }

        if (name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            if (name.Contains("20news", StringComparison.OrdinalIgnoreCase))
            {
                return new DatasetReport("20 Newsgroups (bydate)", true, path, Newsgroups(NewsgroupsReader.Read(path)), null);
            }

            if (name.Contains("blitzer", StringComparison.OrdinalIgnoreCase) || name.Contains("sorted_data", StringComparison.OrdinalIgnoreCase))
            {
                return new DatasetReport("Blitzer reviews", true, path, Blitzer(BlitzerReader.Read(path)), null);
            }

            return new DatasetReport("FDU-MTL reviews", true, path, FduMtl(FduMtlReader.Read(path)), null);
        }

        return null;
    }
}
