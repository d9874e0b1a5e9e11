#!/usr/bin/python3
"""PyTorch reference for issue 7's timing: one stocBiO outer iteration of paper 002's linear hyper-cleaning setting.

Compare with `bilevel bench hyper-cleaning --threads 2 --set NeumannSteps=3 --set HessianBatches=Uniform
--set HessianBatchBase=333.3333333333333 --set LowerBatchSize=1000 --set UpperBatchSize=1000 --set CrossBatchSize=1000`
on the same machine. The problem has the shapes of Fashion-MNIST 20000 / 5000 (785 features with the bias column,
10 classes, float32); the values are random, which does not change the time of these dense operations.

  g(lambda, w) = (1/|B|) sum_i sigmoid(lambda_i) CE(x_i w, y_i) + C_r ||w||^2,  C_r = 0.001;  f(w) = mean CE (validation)

One iteration, written the way stocBiO's public code does it with autograd (every batch 1000 rows, drawn per call):
T = 10 warm-started SGD steps on g; v0 = grad_w f; Q = 3 Neumann terms, each an HVP on a third of a batch
(v <- v - eta H v); one cross product d/dlambda (grad_w g . v); the outer step on lambda.
Prints the median iteration and oracle times (ms) after --warmup, as JSON with --json.
"""

import torch
import torch.nn.functional as F

from timing import median_ms, parse_arguments, report


def main():
    args = parse_arguments(__doc__, repeats=41, warmup=5)
    torch.manual_seed(0)
    n_train, n_val, d, c, batch = 20000, 5000, 785, 10, 1000
    x_train = torch.rand(n_train, d)
    y_train = torch.randint(0, c, (n_train,))
    x_val = torch.rand(n_val, d)
    y_val = torch.randint(0, c, (n_val,))
    lam = torch.zeros(n_train, requires_grad=True)
    w = torch.zeros(d, c, requires_grad=True)
    alpha, eta, beta, reg, q = 0.1, 0.1, 0.1, 1e-3, 3

    def lower(w, idx):
        logits = x_train[idx] @ w
        ce = F.cross_entropy(logits, y_train[idx], reduction="none")
        return (torch.sigmoid(lam[idx]) * ce).mean() + reg * (w * w).sum()

    def upper(w, idx):
        return F.cross_entropy(x_val[idx] @ w, y_val[idx])

    def draw(n, size):
        return torch.randint(0, n, (size,))

    def grad_g():
        return torch.autograd.grad(lower(w, draw(n_train, batch)), w)[0]

    def hvp(v):
        g = torch.autograd.grad(lower(w, draw(n_train, batch // q)), w, create_graph=True)[0]
        return torch.autograd.grad(g, w, v)[0]

    def cross(v):
        g = torch.autograd.grad(lower(w, draw(n_train, batch)), w, create_graph=True)[0]
        return torch.autograd.grad(g, lam, v)[0]

    def iteration():
        for _ in range(10):
            g = grad_g()
            with torch.no_grad():
                w.sub_(alpha * g)
        v0 = torch.autograd.grad(upper(w, draw(n_val, batch)), w)[0]
        v = v0.clone()
        p = v0.clone()
        for _ in range(q):
            v = v - eta * hvp(v)
            p = p + v
        hyper = -eta * cross(p)
        with torch.no_grad():
            lam.sub_(beta * hyper)

    def timed(fn):
        return round(median_ms(fn, args.warmup, args.repeats)[0], 3)

    v = torch.randn(d, c)
    results = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "grad_w g ms (batch 1000)": timed(grad_g),
        "HVP ms (batch 333)": timed(lambda: hvp(v)),
        "cross product ms (batch 1000)": timed(lambda: cross(v)),
        "validation grad_w f ms (batch 1000)": timed(lambda: torch.autograd.grad(upper(w, draw(n_val, batch)), w)),
        "stocBiO iteration ms": timed(iteration),
    }
    report(results, args.json)


if __name__ == "__main__":
    main()
