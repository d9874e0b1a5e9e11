using System.Text;
using Bilevel.Data.Text;

namespace Bilevel.Tests.Data.Text;

public sealed class NewsgroupsReaderTests
{
    [Fact]
    public void Read_BundledArchive_StandardSplitCounts()
    {
        var data = TextTestData.Newsgroups;
        Assert.Equal(20, data.Groups.Count);
        Assert.Equal(11314, data.Train.Count);
        Assert.Equal(7532, data.Test.Count);
        Assert.Equal("alt.atheism", data.Groups[0]);
        Assert.Equal("talk.religion.misc", data.Groups[19]);
        Assert.Equal(0, data.Latin1Messages); // the 37 non-ASCII messages of this copy are UTF-8
        Assert.Equal(480, data.Train.Count(m => m.Group == "alt.atheism"));
        Assert.Equal(599, data.Train.Count(m => m.Group == "soc.religion.christian"));
        Assert.Equal(319, data.Test.Count(m => m.Group == "alt.atheism"));
        Assert.Equal(251, data.Test.Count(m => m.Group == "talk.religion.misc"));
        Assert.All(data.Train, m => Assert.Equal(m.Group, data.Groups[m.Label]));
        Assert.Equal(Enumerable.Range(0, 20), data.Labels(NewsgroupsSplit.Test).Distinct().Order());
    }

    [Fact]
    public void Read_BundledArchive_RawMessagesKeepHeadersAndCharacters()
    {
        var data = TextTestData.Newsgroups;
        var first = data.Train[0];
        Assert.Equal(("alt.atheism", "49960", 0), (first.Group, first.FileName, first.Label));
        Assert.StartsWith("From: mathew <mathew@mantis.co.uk>\nSubject: Alt.Atheism FAQ: Atheist Resources\n", first.Text, StringComparison.Ordinal);
        var mac = data.Train.Single(m => m.Group == "comp.sys.mac.hardware" && m.FileName == "51593");
        Assert.Contains("(Jon W\u00e4tte)", mac.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SmallFolder_CleaningLabelsAndLatin1()
    {
        using var temp = new TempFolder();
        const string Message = "From: a@b\nSubject: hi\n\nIn article <1@x> c@d writes:\n> quoted line\nbody line\n|pipe quote\nmore body\n\n--\nsig line\n";
        temp.Write("20news-bydate-train/sci.b/2", Message);
        temp.Write("20news-bydate-train/sci.b/10", "no blank line here");
        temp.Write("20news-bydate-train/alt.a/5", Encoding.Latin1.GetBytes("Subject: caf\u00e9\n\nna\u00efve"));
        temp.Write("20news-bydate-test/sci.b/7", "x\n\ny");
        temp.Write("20news-bydate-test/alt.a/8", "x\n\nz");
        temp.Write("other/ignored/1", "not a message");

        var raw = NewsgroupsReader.Read(temp.Root);
        Assert.Equal(["alt.a", "sci.b"], raw.Groups);
        Assert.Equal(1, raw.Latin1Messages);
        Assert.Equal(
            [("alt.a", "5", 0), ("sci.b", "10", 1), ("sci.b", "2", 1)],
            raw.Train.Select(m => (m.Group, m.FileName, m.Label)));
        Assert.Equal("Subject: caf\u00e9\n\nna\u00efve", raw.Train[0].Text);
        Assert.Equal(Message, raw.Train[2].Text);

        var clean = NewsgroupsReader.Read(temp.Root, NewsgroupsCleaning.All);
        Assert.Equal("na\u00efve", clean.Train[0].Text);
        Assert.Equal(string.Empty, clean.Train[1].Text); // no blank line: scikit-learn's partition leaves nothing
        Assert.Equal("body line\nmore body\n", clean.Train[2].Text);
        Assert.Equal(["y", "z"], clean.Test.Select(m => m.Text).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void StripFooterAndQuotes_FollowScikitLearnRules()
    {
        Assert.Equal("a\nb", NewsgroupsReader.StripFooter("a\nb\n  -- \nsig"));
        Assert.Equal("only\nlines", NewsgroupsReader.StripFooter("only\nlines"));
        Assert.Equal("\nrest", NewsgroupsReader.StripFooter("\nrest")); // the only blank line is line 0 after strip → unchanged
        Assert.Equal("keep\n  > indented keeps\nkeep", NewsgroupsReader.StripQuotes("keep\n>drop\n  > indented keeps\nJoe wrote: drop\nkeep"));
        Assert.Equal("b", NewsgroupsReader.StripHeaders("a\n\nb"));
        Assert.Equal("b\n\nc", NewsgroupsReader.StripHeaders("a\n\nb\n\nc"));
        Assert.Equal(string.Empty, NewsgroupsReader.StripHeaders("a\r\n\r\nb")); // CRLF is not a blank line for the rule
    }

    [Fact]
    public void Read_GroupsDifferBetweenSplits_Throws()
    {
        using var temp = new TempFolder();
        temp.Write("20news-bydate-train/a/1", "x");
        temp.Write("20news-bydate-train/b/2", "x");
        temp.Write("20news-bydate-test/a/3", "x");
        var ex = Assert.Throws<InvalidDataException>(() => NewsgroupsReader.Read(temp.Root));
        Assert.Equal($"{temp.Root}: group 'b' is in only one of 20news-bydate-train and 20news-bydate-test", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_NoMessagesOrNoTestSplit_Throws()
    {
        using var temp = new TempFolder();
        temp.Write("readme", "x");
        var ex = Assert.Throws<InvalidDataException>(() => NewsgroupsReader.Read(temp.Root));
        Assert.Equal($"{temp.Root}: no 20news-bydate-train/<group>/<id> or 20news-bydate-test/<group>/<id> files found", TextTestData.OneLine(ex));
        temp.Write("20news-bydate-train/a/1", "x");
        ex = Assert.Throws<InvalidDataException>(() => NewsgroupsReader.Read(temp.Root));
        Assert.Equal($"{temp.Root}: 20news-bydate-test holds no messages", TextTestData.OneLine(ex));
    }

    [Fact]
    public void Read_ArchiveOfSmallCorpus_SameAsFolder()
    {
        using var temp = new TempFolder();
        var path = temp.Write("ng.tar.gz", TextTestData.TarGz(
            ("20news-bydate-train/g/1", TextTestData.Utf8("h\n\nbody")),
            ("20news-bydate-test/g/2", TextTestData.Utf8("h\n\nother"))));
        var data = NewsgroupsReader.Read(path, NewsgroupsCleaning.Headers);
        Assert.Equal("body", Assert.Single(data.Train).Text);
        Assert.Equal("other", Assert.Single(data.Test).Text);
    }
}
