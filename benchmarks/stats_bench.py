"""Benchmark the batch binomial analysis against per-experiment library calls.

Run: .venv/bin/python benchmarks/stats_bench.py [--batch-only]

--batch-only times the batch API alone (seconds, not the minutes the
per-experiment reference calls take), for before/after measurements.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy import integrate, stats
from scipy.stats import chi2_contingency, fisher_exact

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stats import FISHER_MIN_EXPECTED, analyze_binomial_batch  # noqa: E402

N_EXPERIMENTS = 10_000
N_VARIANTS = 3
N_REFERENCE = 50  # experiments timed through per-experiment calls, then scaled
SEED = 20_240_601


def make_counts(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Realistic experiments: roughly equal splits, rates 1-20%, lifts within 15%."""
    base_units = rng.integers(500, 50_000, N_EXPERIMENTS)[:, None]
    units = rng.binomial(base_units * N_VARIANTS, 1 / N_VARIANTS, (N_EXPERIMENTS, 3))
    base_rate = rng.uniform(0.01, 0.2, N_EXPERIMENTS)[:, None]
    lifts = np.column_stack(
        [np.zeros(N_EXPERIMENTS), rng.uniform(-0.15, 0.15, (N_EXPERIMENTS, 2))]
    )
    conversions = rng.binomial(units, np.clip(base_rate * (1 + lifts), 0, 1))
    return units.astype(float), conversions.astype(float)


def per_experiment(
    units: np.ndarray, conversions: np.ndarray, bayesian: bool = True
) -> None:
    """What a user would write with statsmodels and scipy, one experiment at a time."""
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import (
        confint_proportions_2indep,
        proportion_confint,
        proportions_ztest,
    )

    for n, x in zip(units, conversions, strict=True):
        proportion_confint(x, n, method="wilson")
        p_values = []
        for j in (1, 2):
            confint_proportions_2indep(x[j], n[j], x[0], n[0], method="newcomb")
            confint_proportions_2indep(
                x[j], n[j], x[0], n[0], compare="ratio", method="log"
            )
            table = np.array([[x[j], n[j] - x[j]], [x[0], n[0] - x[0]]])
            expected = chi2_contingency(table, correction=False).expected_freq
            if expected.min() < FISHER_MIN_EXPECTED:
                p_values.append(fisher_exact(table).pvalue)
            else:
                p_values.append(proportions_ztest([x[j], x[0]], [n[j], n[0]])[1])
        multipletests(p_values, method="holm")
        chi2_contingency(np.column_stack([x, n - x]), correction=False)
        if not bayesian:
            continue
        post = [stats.beta(1 + xi, 1 + ni - xi) for xi, ni in zip(x, n, strict=True)]
        lo = min(p.ppf(1e-10) for p in post)
        hi = max(p.isf(1e-10) for p in post)
        c = post[0]
        for j in (1, 2):
            t = post[j]
            integrate.quad(lambda v, t=t, c=c: c.pdf(v) * t.sf(v), lo, hi, limit=200)
            plus = stats.beta(c.args[0] + 1, c.args[1])
            integrate.quad(
                lambda y, t=t, plus=plus, c=c: (
                    t.pdf(y) * (c.mean() * plus.sf(y) - y * c.sf(y))
                ),
                lo,
                hi,
                limit=200,
            )
        for j, p in enumerate(post):
            others = [o for k, o in enumerate(post) if k != j]
            integrate.quad(
                lambda v, p=p, others=others: (
                    p.pdf(v) * others[0].cdf(v) * others[1].cdf(v)
                ),
                lo,
                hi,
                limit=200,
            )


def floor(units: np.ndarray, conversions: np.ndarray) -> np.ndarray:
    """The bare minimum: a pooled two-proportion z-test in numpy."""
    n_c, x_c = units[:, :1], conversions[:, :1]
    n_t, x_t = units[:, 1:], conversions[:, 1:]
    pooled = (x_c + x_t) / (n_c + n_t)
    z = (x_t / n_t - x_c / n_c) / np.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    return 2 * stats.norm.sf(np.abs(z))


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(SEED)
    units, conversions = make_counts(rng)
    label = f"{N_EXPERIMENTS:,} experiments x {N_VARIANTS} variants"
    t_batch = best_of(lambda: analyze_binomial_batch(units, conversions), 3)
    t_freq = best_of(
        lambda: analyze_binomial_batch(units, conversions, bayesian=False), 3
    )
    t_floor = best_of(lambda: floor(units, conversions), 20)
    if "--batch-only" in sys.argv[1:]:
        print(f"Binomial analysis of {label} (seed {SEED})")
        print(
            f"  batch API, full analysis: {t_batch:.3f} s "
            f"({t_batch / N_EXPERIMENTS * 1e6:.0f} us per experiment)"
        )
        print(f"  batch API, frequentist figures only: {t_freq:.4f} s")
        print(f"  floor: bare numpy pooled z-test: {t_floor:.4f} s")
        return
    t_ref = best_of(
        lambda: per_experiment(units[:N_REFERENCE], conversions[:N_REFERENCE]), 1
    )
    t_ref_all = t_ref * N_EXPERIMENTS / N_REFERENCE
    t_ref_freq = best_of(
        lambda: per_experiment(
            units[:N_REFERENCE], conversions[:N_REFERENCE], bayesian=False
        ),
        1,
    )
    t_ref_freq_all = t_ref_freq * N_EXPERIMENTS / N_REFERENCE
    print(f"Binomial analysis of {label} (seed {SEED})")
    print(f"  batch API, full analysis (incl. exact Bayesian): {t_batch:8.3f} s")
    print(f"  batch API, frequentist figures only:             {t_freq:8.3f} s")
    print(f"  floor: bare numpy pooled z-test:                 {t_floor:8.4f} s")
    print(
        f"  per-experiment statsmodels/scipy calls:          {t_ref_all:8.1f} s "
        f"(timed on {N_REFERENCE} experiments: {t_ref:.2f} s, scaled x"
        f"{N_EXPERIMENTS / N_REFERENCE:.0f})"
    )
    print(
        f"  per-experiment calls, frequentist figures only:  {t_ref_freq_all:8.1f} s "
        f"(timed on {N_REFERENCE}: {t_ref_freq:.2f} s, scaled)"
    )
    print(f"  speed-up over per-experiment calls: {t_ref_all / t_batch:,.0f}x")
    print(f"  speed-up, frequentist only:         {t_ref_freq_all / t_freq:,.0f}x")
    print(f"  full batch vs floor:        {t_batch / t_floor:,.0f}x slower")
    print(f"  frequentist batch vs floor: {t_freq / t_floor:,.0f}x slower")


if __name__ == "__main__":
    main()
