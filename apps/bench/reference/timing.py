"""Timing shared by the PyTorch reference scripts (imported from their own folder)."""
import statistics
import time


def median_ms(fn, warmup=2, min_reps=5, budget_ms=400, max_reps=200, warmup_ms=0):
    """Median wall ms of fn() after `warmup` calls (and at least `warmup_ms` of them): at least
    `min_reps` calls, then more until `budget_ms` of timing or `max_reps` calls."""
    w0 = time.perf_counter()
    done = 0
    while done < warmup or (time.perf_counter() - w0) * 1000 < warmup_ms:
        fn()
        done += 1
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or ((time.perf_counter() - start) * 1000 < budget_ms and len(times) < max_reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)
