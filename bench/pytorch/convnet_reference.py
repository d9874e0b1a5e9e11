#!/usr/bin/python3
"""PyTorch reference for issue 4's ConvNet comparison (run it on the same machine as `bilevel bench engine`).

The same network and loss as `EngineModels.ConvNetHyperCleaning` (src/Bilevel/Benchmarks/EngineBenchmark.cs):
4 blocks conv3x3 (padding 1, bias) -> batch norm (batch statistics) -> ReLU -> max-pool 2 on 28x28x1 images,
filters 64, a linear head to 10 classes, loss = mean_i sigmoid(lambda_i) * CE_i (x = lambda, y = network + head).

Timed, float32, median of --repeats after --warmup:
  forward        the loss;
  gradient       forward + backward for (lambda, y);
  hvp+cross      double backprop: g = dL/dy with create_graph, then d(g.v)/d(y, lambda) = (H_yy v, H_lambda,y v),
                 the pass issue 4 compares the engine's forward-over-reverse pass with;
  gemm           a float32 n^3 matrix product (torch.mm), GFLOP/s.
Needs Debian's python3-torch (1.13, oneDNN): `sudo apt-get install python3-torch`. Prints JSON with --json.
"""
import platform

import torch
import torch.nn.functional as F

from timing import median_ms, parse_arguments, report


def build(batch, filters, classes, seed):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    params = []
    channels = 1
    for _ in range(4):
        w = torch.empty(filters, channels, 3, 3)
        torch.nn.init.kaiming_normal_(w)
        params += [w, torch.zeros(filters), torch.ones(filters), torch.zeros(filters)]
        channels = filters
    params += [torch.randn(classes, filters, generator=g) * 0.05, torch.zeros(classes)]
    params = [p.requires_grad_() for p in params]
    lam = torch.randn(batch, generator=g).requires_grad_()
    images = torch.randn(batch, 1, 28, 28, generator=g)
    labels = torch.randint(0, classes, (batch,), generator=g)
    direction = [torch.empty_like(p).uniform_(-1, 1, generator=g) for p in params]
    return params, lam, images, labels, direction


def loss_fn(params, lam, images, labels):
    h = images
    for b in range(4):
        w, bias, gamma, beta = params[4 * b: 4 * b + 4]
        h = F.conv2d(h, w, bias, padding=1)
        h = F.batch_norm(h, None, None, gamma, beta, training=True)
        h = F.max_pool2d(F.relu(h), 2)
    logits = F.linear(h.flatten(1), params[-2], params[-1])
    ce = F.cross_entropy(logits, labels, reduction="none")
    return (torch.sigmoid(lam) * ce).mean()


def main():
    def options(parser):
        parser.add_argument("--batch", type=int, default=256)
        parser.add_argument("--filters", type=int, default=64)
        parser.add_argument("--gemm", type=int, default=1024)

    args = parse_arguments(__doc__, repeats=9, warmup=3, add_options=options)
    params, lam, images, labels, direction = build(args.batch, args.filters, 10, 0)
    everything = params + [lam]

    def forward():
        with torch.no_grad():
            loss_fn(params, lam, images, labels)

    def gradient():
        loss = loss_fn(params, lam, images, labels)
        torch.autograd.grad(loss, everything)

    def second_order():
        loss = loss_fn(params, lam, images, labels)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        gv = sum((g * v).sum() for g, v in zip(grads, direction))
        torch.autograd.grad(gv, everything)

    a = torch.randn(args.gemm, args.gemm)
    b = torch.randn(args.gemm, args.gemm)
    results = {
        "machine": platform.processor() or platform.machine(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "model": f"ConvNet-{args.filters} 28x28 batch {args.batch}",
    }
    for name, fn in [("forward", forward), ("gradient", gradient), ("hvp+cross", second_order)]:
        med, lo, hi = median_ms(fn, args.warmup, args.repeats)
        results[name + " ms"] = round(med, 2)
        results[name + " range ms"] = [round(lo, 2), round(hi, 2)]
    med, _, _ = median_ms(lambda: torch.mm(a, b), 2, args.repeats)
    results[f"sgemm {args.gemm}^3 GFLOP/s"] = round(2 * args.gemm ** 3 / (med * 1e6), 1)
    results["hvp+cross / gradient"] = round(results["hvp+cross ms"] / results["gradient ms"], 2)
    report(results, args.json)


if __name__ == "__main__":
    main()
