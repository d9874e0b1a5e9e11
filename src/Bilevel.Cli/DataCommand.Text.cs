namespace Bilevel.Cli;

internal static partial class DataCommand
{
    private static void AddTextDatasets(List<DatasetReport> reports, Bilevel.Data.DataLocator locator)
    {
        _ = reports;
        _ = locator;
    }

    private static DatasetReport? InspectText(string path, string name)
    {
        _ = path;
        _ = name;
        return null;
    }
}
