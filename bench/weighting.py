"""Weighting benchmark: what the dossier-weighted overall figure and the per-figure
variances it needs add to a report's figures, side by side with the pooled ones.

    .venv/bin/python -m bench.weighting [--units 1224] [--runs 7]

On a units × keys matrix of counts like a report's (1,224 units by default, the
size of bench/indices.py's campaign), median of several runs each:

- figures: every indicator of every unit (app/reporting/figures.py), which now also
  computes each figure's variance (run it with PYTHONPATH pointing at a checkout
  without them for the baseline);
- pooled overall: the campaign as one figure from the summed counts (today's);
- weighted overall: the same, post-stratified by the units' dossier counts, every
  indicator with its stratified variance and design effect.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.questionnaires.catalog import get_catalog
from app.reporting.figures import figures, keyspace


def _median(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1224)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    q = get_catalog().get("sipas-2017", 1)
    assert q is not None
    ks = keyspace(q)
    rng = np.random.default_rng(1)
    m = rng.integers(0, 40, size=(args.units, len(ks.keys) + ks.layout.size), dtype=np.int64)
    m[:, ks.index["n"]] = m[:, : len(ks.keys)].max(axis=1)
    out = {"figures": _median(lambda: figures(ks, m, "top2box"), args.runs)}
    out["pooled overall"] = _median(
        lambda: figures(ks, m.sum(axis=0, keepdims=True), "top2box"), args.runs
    )
    try:
        from analysis.weighting import post_stratified
    except ImportError:  # a checkout without weighting: the baseline of `figures`
        post_stratified = None
    if post_stratified is not None:
        computed = figures(ks, m, "top2box")
        pooled = figures(ks, m.sum(axis=0, keepdims=True), "top2box")
        tx = rng.integers(100, 5000, size=args.units).tolist()
        assert computed.variances is not None
        assert pooled.variances is not None
        cv, pv = computed.variances, pooled.variances

        def weighted() -> None:
            pairs = [(computed.values["sipas"], cv["sipas"], computed.ns["sipas"], pv["sipas"])]
            for g, cols in computed.values.items():
                if g != "sipas":
                    pairs += [(v, cv[g][k], computed.ns[g][k], pv[g][k]) for k, v in cols.items()]
            for v, var, n, at in pairs:
                post_stratified(
                    v.tolist(), var.tolist(), n.tolist(), tx, pooled_variance=float(at[0])
                )

        # As the report makes it: the pooled figure (for the design effect) and the
        # weighted one.
        out["weighted overall"] = out["pooled overall"] + _median(weighted, args.runs)
    for name, seconds in out.items():
        print(f"{name:>18}: {seconds * 1000:8.1f} ms")
    if "weighted overall" in out:
        ratio = out["weighted overall"] / out["pooled overall"]
        print(f"weighted / pooled overall: {ratio:.1f}x")
        print(f"weighted overall / figures: {out['weighted overall'] / out['figures']:.2f}")


if __name__ == "__main__":
    main()
