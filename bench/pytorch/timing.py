"""Shared by the PyTorch reference scripts: median timing and printing of a results dictionary."""
import json
import statistics
import time


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
