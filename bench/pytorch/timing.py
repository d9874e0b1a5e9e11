"""Shared by the PyTorch reference scripts: the common options, median timing and printing of a results dictionary."""
import argparse
import json
import statistics
import time


def parse_arguments(doc, repeats, warmup, add_options=None):
    """Parses --threads (default 2), --repeats, --warmup, --json and the script's own options; sets torch's threads."""
    import torch

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--json", action="store_true")
    if add_options is not None:
        add_options(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def median_ms(fn, warmup, repeats):
    """Runs fn warmup times, then times repeats calls; returns (median, min, max) in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times), max(times)


def report(results, as_json):
    """Prints results as indented JSON, or one "key: value" line each."""
    if as_json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key}: {value}")
