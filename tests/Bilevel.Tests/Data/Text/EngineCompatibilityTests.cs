using Bilevel.Autodiff;
using Bilevel.Data.Text;
using Bilevel.Networks;

namespace Bilevel.Tests.Data.Text;

/// <summary>A sampled task and a GloVe table go straight into the engine's Embedding op and paper 004's RNN encoder.</summary>
public sealed class EngineCompatibilityTests
{
    [Fact]
    public void SampledTask_EmbeddingAndRnnEncoder_RunOnRealReviews()
    {
        var data = TextTestData.FduMtl;
        var tokenizer = Tokenizer.LowercaseWhitespace;
        var glove = GloveReader.Read(TextTestData.Path("glove/glove.6B.50d.top5050.txt"));
        var documents = data.Reviews
            .Where(r => r.Label is not null && FduMtlDataset.IsAmazonDomain(r.Domain))
            .Select(r => (IReadOnlyList<string>)tokenizer.Tokenize(r.Text));
        // Paper 004's code: keep only words with a vector, wrap sentences in <s> … </s>.
        var vocabulary = Vocabulary.Build(documents, new VocabularyOptions { Filter = glove.Contains, SentenceBoundaries = true });
        var table = EmbeddingTable.Build(vocabulary, glove, seed: 3);
        var reviews = ReviewTaskSampler.Encode(data, tokenizer, vocabulary, addBoundaries: true, dropUnknown: true);
        var sampler = new ReviewTaskSampler(reviews, seed: 11, new ReviewTaskSamplerOptions { MaxLength = 64 });
        Assert.Equal(0, sampler.ExcludedEmptyReviews); // <s> … </s> keeps even the empty review embeddable
        var task = sampler.Next();
        var support = task.Support;

        var graph = new Graph<double>();
        var embedded = graph.Embedding(graph.Constant(table.ToTensor<double>()), support.Tokens, support.Count, support.Length, support.Lengths);
        Assert.Equal([20, support.Length, 50], embedded.Shape);
        // Position 0 of every sequence is <s>; position 1 of sequence 0 is its first kept word, a GloVe vector.
        Assert.Equal(table.Values.AsSpan(vocabulary.BeginId * 50, 50).ToArray(), embedded.Value.Span[..50].ToArray());
        var firstWord = support.Tokens[1];
        Assert.True(table.IsPretrained(firstWord));
        Assert.Equal(glove.Vector(vocabulary[firstWord]).ToArray(), embedded.Value.Span[50..100].ToArray());

        var encoder = new RnnTextEncoder(inputSize: 50, hiddenSize: 8);
        var parameters = new double[encoder.Layout.Size];
        encoder.Initialize<double>(parameters, 0);
        var features = encoder.Forward(graph, encoder.Layout.Bind(graph, parameters), embedded, support.Lengths);
        Assert.Equal([20, 8], features.Shape);
        Assert.All(features.Value.Span.ToArray(), v => Assert.True(double.IsFinite(v) && Math.Abs(v) < 1));
    }
}
