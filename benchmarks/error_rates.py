"""False-winner rate and power of each way of looking, by simulation.

Run: .venv/bin/python benchmarks/error_rates.py [simulations]

Two-variant binomial experiments, 5% baseline, planned lift +20% (5% -> 6%),
alpha 5%, power 80%. Each row prints the share declared significant with no
difference (A/A) and with the planned lift, each with its Monte Carlo SE. The
test suite runs the same functions (stats.simulation) at a smaller size.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stats import information_plan, sample_size, z_boundaries  # noqa: E402
from stats.simulation import (  # noqa: E402
    RejectionRate,
    always_valid_rate,
    crossing_rate,
    group_sequential_rate,
    naive_rate,
    simulate_counts,
)

SIMULATIONS = 100_000
SEED = 20_261_128
BASELINE, LIFT = 0.05, 0.2
BACK_LOADED = np.cumsum([0.02, 0.03, 0.05, 0.10, 0.30, 0.50])
FIXED = sample_size(BASELINE, LIFT).units_per_variant
Judge = Callable[[np.ndarray, np.ndarray], RejectionRate]


def _row(name: str, cumulative: np.ndarray, judge: Judge, sims: int, seed: int):
    rng = np.random.default_rng(seed)
    cells = []
    for challenger in (BASELINE, BASELINE * (1 + LIFT)):
        units, conversions = simulate_counts(
            rng, sims, np.round(cumulative), BASELINE, challenger
        )
        r = judge(units, conversions)
        cells.append(f"{100 * r.rate:6.2f}% ± {100 * r.se:.2f}")
    print(f"| {name} | {cells[0]} | {cells[1]} |", flush=True)


def _designs() -> list[tuple[str, np.ndarray, Judge]]:
    rows: list[tuple[str, np.ndarray, Judge]] = [
        ("fixed plan, one look", np.array([FIXED]), lambda u, x: naive_rate(u, x)),
        (
            "no plan, p < 5% at any of 10 sprints (naive)",
            np.arange(1, 11) * FIXED / 10,
            lambda u, x: naive_rate(u, x),
        ),
    ]
    for mult in (1, 2):
        rows.append(
            (
                f"always-valid, 20 sprints to {mult}× the fixed plan (tuned at it)",
                np.arange(1, 21) * mult * FIXED / 20,
                lambda u, x, t=mult * FIXED: always_valid_rate(u, x, 0.05, t),
            )
        )
    for spending in ("obrien_fleming", "pocock"):
        plan = information_plan(6, BASELINE, LIFT, spending=spending)
        n = plan.units_per_variant
        rows.append(
            (
                f"{spending}, 6 looks, back-loaded, calendar fractions s/6 (old)",
                BACK_LOADED * n,
                lambda u, x, s=spending: crossing_rate(
                    u, x, z_boundaries(np.arange(1, 7) / 6, 0.05, s)
                ),
            )
        )
        rows.append(
            (
                f"{spending}, 6 looks, back-loaded, spent by information",
                BACK_LOADED * n,
                lambda u, x, m=n / 2, s=spending: group_sequential_rate(
                    u, x, m, 0.05, s
                ),
            )
        )
        for looks in (4, 6):
            for size, label in ((FIXED, "fixed-size"), (None, "inflated")):
                n = (
                    size
                    or sample_size(
                        BASELINE, LIFT, planned_looks=looks, spending=spending
                    ).units_per_variant
                )
                rows.append(
                    (
                        f"{spending}, {looks} equal looks, {label} plan ({n:,})",
                        np.arange(1, looks + 1) / looks * n,
                        lambda u, x, m=n / 2, s=spending: group_sequential_rate(
                            u, x, m, 0.05, s
                        ),
                    )
                )
    return rows


def main() -> None:
    sims = int(sys.argv[1]) if len(sys.argv) > 1 else SIMULATIONS
    print(f"{sims:,} simulations per cell; fixed plan {FIXED:,} units per variant\n")
    print("| design | A/A false winners | power at +20% |")
    print("|---|---|---|")
    start = time.perf_counter()
    for i, (name, cumulative, judge) in enumerate(_designs()):
        _row(name, cumulative, judge, sims, SEED + i)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
