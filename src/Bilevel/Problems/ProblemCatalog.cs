namespace Bilevel.Problems;

/// <summary>A registered problem: a name for <c>bilevel solve --problem</c>, what it is, and a factory taking the data seed.</summary>
public sealed record ProblemDescriptor(string Name, string Description, Func<int, BilevelProblem> Create);

/// <summary>The problems <c>bilevel solve</c> can run any solver on.</summary>
public static class ProblemCatalog
{
    /// <summary>The finite-sum quadratic of the solver checks: dx = 10, dy = 20, κ = 10, n = 200 samples per level.</summary>
    public static FiniteSumQuadraticProblem CreateSolverCheckProblem(int seed = 0) =>
        FiniteSumQuadraticProblem.CreateRandom(10, 20, 10, 200, seed);

    /// <summary>All registered problems.</summary>
    public static IReadOnlyList<ProblemDescriptor> All { get; } =
    [
        new("finite-sum-quadratic", "finite-sum stochastic quadratic, dx = 10, dy = 20, κ = 10, n = 200 samples per level; exact y*, ∇Φ", seed => CreateSolverCheckProblem(seed)),
        new("quadratic", "deterministic random quadratic, dx = 10, dy = 20, κ = 10; exact y*, ∇Φ", seed => QuadraticBilevelProblem.CreateRandom(10, 20, 10, seed)),
        new("linear-hyper-cleaning", "linear hyper-cleaning on Fashion-MNIST, papers 002/003: 20000 corrupted (p = 0.1) / 5000 clean validation / 10000 test images, C_r = 0.001, float32",
            seed => new HyperCleaning.LinearHyperCleaningProblem(HyperCleaning.HyperCleaningSetups.Create(HyperCleaning.HyperCleaningDataset.FashionMnist, HyperCleaning.HyperCleaningSizes.Paper002, 0.1, seed))),
        new("linear-hyper-cleaning-mnist", "linear hyper-cleaning on the 10,000 bundled MNIST images: 6000 corrupted (p = 0.1) / 2000 / 2000, C_r = 0.001, float32",
            seed => new HyperCleaning.LinearHyperCleaningProblem(HyperCleaning.HyperCleaningSetups.Create(HyperCleaning.HyperCleaningDataset.Mnist, HyperCleaning.HyperCleaningSizes.BundledMnist, 0.1, seed))),
        new("cnn-hyper-cleaning", "CNN hyper-cleaning on Fashion-MNIST, paper 000 §6.2: 5000 corrupted (γ = 0.8) / 5000 clean validation images, 4-block ConvNet with 64 filters, float32",
            seed => new HyperCleaning.CnnHyperCleaningProblem<float>(HyperCleaning.HyperCleaningSetups.Create(HyperCleaning.HyperCleaningDataset.FashionMnist, HyperCleaning.HyperCleaningSizes.Paper000, 0.8, seed))),
        new("newsgroups-l2", "per-feature L2 logistic regression on 20 Newsgroups, paper 002 §4.2: p = 101,629 count features (L2 rows; headers, footers, quotes removed), 20 classes, 5657 train / 5657 validation (stratified, seeded) / 7532 test, float64",
            seed => new Newsgroups.PerFeatureL2Problem(Newsgroups.NewsgroupsSetups.Create(seed))),
        new("review-hyper-representation", "paper 004 §4.1 on FDU-MTL Amazon reviews: 2-layer RNN encoder x (H = 32, GloVe 50-d, ≤ 40 tokens), 60 training tasks of 20 + 20 reviews (one head each, μ = 0.1), 30 held-out tasks from baby, magazines, software; float32",
            seed => ReviewHyperRepresentation(seed)),
        new("review-hyperparameter", "paper 004 §4.2 on FDU-MTL Amazon reviews: λ = e^x of (λ/2)‖w‖² for the whole RNN classifier (H = 32, GloVe 50-d, ≤ 40 tokens), 2000 train / 500 validation / 500 test reviews; float32",
            seed => Reviews.ReviewSetups.Hyperparameter<float>(Reviews.ReviewSetups.Embedding(50), Reviews.ReviewSetups.AmazonReviews(Reviews.ReviewSetups.Embedding(50)), 32, 2000, 500, 500, 40, seed)),
        new("review-hyper-cleaning", "paper 004 §4.3 on Sentiment140: one weight logit per training tweet, RNN classifier (H = 32, GloVe 50-d, ≤ 40 tokens), 2000 tweets with labels flipped with probability 0.3, 500 clean validation, 358 test tweets, c = 0.001; float32",
            seed => Reviews.ReviewSetups.HyperCleaning<float>(Reviews.ReviewSetups.Embedding(50), 32, 2000, 500, 0.3, 1e-3, 40, seed)),
    ];

    private static Reviews.ReviewHyperRepresentationProblem<float> ReviewHyperRepresentation(int seed)
    {
        var embedding = Reviews.ReviewSetups.Embedding(50);
        var (train, test, _) = Reviews.ReviewSetups.Tasks(Reviews.ReviewSetups.AmazonReviews(embedding), 60, 30, seed);
        return new Reviews.ReviewHyperRepresentationProblem<float>(embedding.Tensor<float>(), 32, train, test, 0.1, 40);
    }

    /// <summary>The problem named <paramref name="name"/>; a one-line error lists the names otherwise.</summary>
    public static ProblemDescriptor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var descriptor in All)
        {
            if (string.Equals(descriptor.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return descriptor;
            }
        }

        throw new ArgumentException($"problem '{name}' is not known (problems: {string.Join(", ", All.Select(d => d.Name))})");
    }
}
