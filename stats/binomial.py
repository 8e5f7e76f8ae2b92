"""Frequentist and Bayesian comparison of conversion rates, many experiments at once.

Inputs are (E, V) arrays of units and conversions: one row per experiment, the
control in column 0. Undefined figures (0/0) are NaN here; the report turns them
into None with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from .arrays import BoolArray, Estimates, FloatArray, comparison_fields
from .bayes import beta_posteriors, posterior_summaries
from .errors import StatsInputError, as_counts, check_batch, check_probability
from .multiple import adjust_p_values

# Cochran's rule: the chi-square/z approximation needs every expected cell count
# of the 2x2 table to be at least 5; below that use Fisher's exact test.
FISHER_MIN_EXPECTED = 5.0
# Relative tolerance when comparing table probabilities in Fisher's two-sided
# p-value (R's fisher.test uses 1 + 1e-7), so that ties count as "as extreme".
FISHER_RELATIVE_TOLERANCE = 1e-7
# Memory bound for the vectorised Fisher computation (cells per chunk).
_FISHER_CHUNK_CELLS = 2_000_000


@dataclass(frozen=True)
class BinomialBatch(Estimates):
    """Every binomial figure for E experiments with V variants (control first).

    Per-variant arrays are (E, V); per-challenger arrays are (E, V-1); the
    difference and lift are challenger minus / over control.
    """

    units: FloatArray
    conversions: FloatArray
    rate: FloatArray
    rate_low: FloatArray
    rate_high: FloatArray
    z: FloatArray
    p_value: FloatArray
    fisher: BoolArray
    p_value_adjusted: FloatArray
    omnibus_statistic: FloatArray
    omnibus_dof: int
    omnibus_p_value: FloatArray
    chance_to_beat_control: FloatArray
    expected_loss: FloatArray
    chance_to_be_best: FloatArray


def check_binomial(units: object, conversions: object) -> tuple[FloatArray, FloatArray]:
    """Validate counts: same shape, at least two variants, conversions <= units."""
    n = as_counts(units, "units")
    x = as_counts(conversions, "conversions")
    if n.shape != x.shape:
        raise StatsInputError(
            "conversions", f"shape {x.shape} does not match units {n.shape}"
        )
    if n.ndim < 1 or n.shape[-1] < 2:
        raise StatsInputError("units", "need at least two variants (control first)")
    if np.any(x > n):
        raise StatsInputError("conversions", "conversions cannot exceed units")
    return n, x


def wilson_interval(
    conversions: FloatArray, units: FloatArray, alpha: float = 0.05
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for a rate (Wilson 1927); NaN when units are 0."""
    z = special.ndtri(1.0 - alpha / 2.0)
    n = np.asarray(units, dtype=np.float64)
    x = np.asarray(conversions, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = n + z * z
        centre = (x + z * z / 2.0) / denom
        half = z * np.sqrt(x * (n - x) / n + z * z / 4.0) / denom
    low = np.where(n > 0, np.maximum(centre - half, 0.0), np.nan)
    high = np.where(n > 0, np.minimum(centre + half, 1.0), np.nan)
    # Exact endpoints at 0% and 100% (the formula gives them up to rounding).
    low = np.where(x == 0, np.where(n > 0, 0.0, np.nan), low)
    high = np.where((x == n) & (n > 0), 1.0, high)
    return low, high


def newcombe_interval(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """p_t - p_c with Newcombe's hybrid-score interval (method 10, Newcombe 1998)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p_t, p_c = x_t / n_t, x_c / n_c
    l_t, u_t = wilson_interval(x_t, n_t, alpha)
    l_c, u_c = wilson_interval(x_c, n_c, alpha)
    d = p_t - p_c
    low = d - np.sqrt((p_t - l_t) ** 2 + (u_c - p_c) ** 2)
    high = d + np.sqrt((u_t - p_t) ** 2 + (p_c - l_c) ** 2)
    return d, low, high


def relative_lift_interval(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """p_t / p_c - 1 with a delta-method interval on the log ratio scale.

    Var(log p) ~ (1 - p) / (n p) (the Katz log interval for a risk ratio). The log
    scale keeps the interval inside (-100%, inf) and asymmetric as a ratio is.
    NaN when the control has no conversions (no ratio) and, for the interval, when
    either side has none (log of 0).
    """
    z = special.ndtri(1.0 - alpha / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_t, p_c = x_t / n_t, x_c / n_c
        ratio = p_t / p_c
        se = np.sqrt((1.0 - p_t) / x_t + (1.0 - p_c) / x_c)
        log_ratio = np.log(ratio)
        low = np.exp(log_ratio - z * se) - 1.0
        high = np.exp(log_ratio + z * se) - 1.0
    defined = (x_c > 0) & (n_t > 0)
    # se == 0 when everybody converted on both sides: no interval exists.
    both = defined & (x_t > 0) & (se > 0)
    return (
        np.where(defined, ratio - 1.0, np.nan),
        np.where(both, low, np.nan),
        np.where(both, high, np.nan),
    )


def pooled_z(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray
) -> FloatArray:
    """Pooled two-proportion z statistic (challenger minus control); NaN if 0/0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (x_t + x_c) / (n_t + n_c)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n_t + 1.0 / n_c))
        z = (x_t / n_t - x_c / n_c) / se
    return np.where(se > 0, z, np.nan)


def needs_fisher(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray
) -> BoolArray:
    """True where the 2x2 table calls for Fisher's exact test (Cochran's rule).

    Both arms have units and the smallest expected cell count is below
    FISHER_MIN_EXPECTED. The same rule picks the test of a comparison and of each
    sprint look, so the two never disagree about which test applies.
    """
    total = n_t + n_c
    conv = x_t + x_c
    with np.errstate(divide="ignore", invalid="ignore"):
        min_expected = np.minimum(n_t, n_c) * np.minimum(conv, total - conv) / total
    return (n_t > 0) & (n_c > 0) & (min_expected < FISHER_MIN_EXPECTED)


def fisher_exact_p(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray
) -> FloatArray:
    """Two-sided Fisher exact p-value for 2x2 tables, vectorised (1-D inputs).

    Sums the hypergeometric probabilities of all tables with the same margins that
    are no more likely than the observed one (as scipy.stats.fisher_exact).
    """
    x_t, n_t, x_c, n_c = (
        np.asarray(v, dtype=np.float64).ravel() for v in (x_t, n_t, x_c, n_c)
    )
    total = n_t + n_c
    conv = x_t + x_c
    k_min = np.maximum(0.0, n_t - (total - conv))
    k_max = np.minimum(n_t, conv)
    out = np.ones(x_t.shape)
    width = (k_max - k_min + 1).astype(np.int64)
    order = np.argsort(width, kind="stable")
    start = 0
    while start < order.size:
        # Sorted by support width, so the last row of a chunk is its widest.
        stop = start + 1
        while (
            stop < order.size
            and int(width[order[stop]]) * (stop + 1 - start) <= _FISHER_CHUNK_CELLS
        ):
            stop += 1
        idx = order[start:stop]
        out[idx] = _fisher_chunk(
            x_t[idx], n_t[idx], conv[idx], total[idx], k_min[idx], k_max[idx]
        )
        start = stop
    return out


def _fisher_chunk(
    x_t: FloatArray,
    n_t: FloatArray,
    conv: FloatArray,
    total: FloatArray,
    k_min: FloatArray,
    k_max: FloatArray,
) -> FloatArray:
    """Fisher p-values for rows whose supports fit one padded array.

    The table probabilities are relative to the first table of the support, by
    the exact ratio recurrence P(k+1)/P(k) = (c-k)(m-k) / ((k+1)(t-c-m+k+1)) in
    log space, then normalised by their sum: no log-gamma of 10^12 (whose
    rounding, ~1e-3 in log, made 3 of 10^12 vs 0 of 10^12 give 0.24935).
    """
    longest = int((k_max - k_min).max()) + 1
    k = k_min[:, None] + np.arange(longest)[None, :]
    valid = k <= k_max[:, None]
    c, t, m = conv[:, None], total[:, None], n_t[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ((c - k) / (k + 1.0)) * ((m - k) / (t - c - m + k + 1.0))
        step = np.where(valid[:, 1:], np.log(ratio[:, :-1]), -np.inf)
    log_p = np.concatenate([np.zeros((k.shape[0], 1)), np.cumsum(step, axis=1)], 1)
    observed = np.take_along_axis(log_p, (x_t - k_min).astype(np.int64)[:, None], 1)
    scale = np.exp(log_p - log_p.max(axis=1, keepdims=True))
    extreme = valid & (log_p <= observed + np.log1p(FISHER_RELATIVE_TOLERANCE))
    p = np.sum(np.where(extreme, scale, 0.0), axis=1) / np.sum(scale, axis=1)
    return np.minimum(p, 1.0)


def analyze_binomial_batch(
    units: object,
    conversions: object,
    alpha: float = 0.05,
    correction: str = "holm",
    higher_is_better: bool = True,
    bayesian: bool = True,
) -> BinomialBatch:
    """Analyse E experiments at once: units and conversions shaped (E, V).

    Each challenger is compared with the control by the pooled z-test, or by
    Fisher's exact test when an expected cell count is below FISHER_MIN_EXPECTED;
    p-values are adjusted across the challengers of an experiment (Holm, or
    Benjamini-Hochberg). The chi-square omnibus test is filled for V >= 3.
    """
    alpha = check_probability(alpha, "alpha")
    n, x = check_binomial(units, conversions)
    check_batch(n)
    n_var = n.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, x / n, np.nan)
    rate_low, rate_high = wilson_interval(x, n, alpha)
    x_t, n_t = x[:, 1:], n[:, 1:]
    x_c = np.broadcast_to(x[:, :1], x_t.shape)
    n_c = np.broadcast_to(n[:, :1], n_t.shape)
    difference = newcombe_interval(x_t, n_t, x_c, n_c, alpha)
    lift = relative_lift_interval(x_t, n_t, x_c, n_c, alpha)
    z = pooled_z(x_t, n_t, x_c, n_c)

    p_value, fisher = _p_values(x_t, n_t, x_c, n_c, z)
    p_adj = adjust_p_values(p_value, correction)
    omnibus_stat = np.full(n.shape[0], np.nan)
    omnibus_p = np.full(n.shape[0], np.nan)
    if n_var >= 3:
        omnibus_stat, omnibus_p = chi_square_omnibus(n, x)
    beat, loss, best = _bayesian(n, x, higher_is_better, bayesian)
    tests = (p_value, p_adj, omnibus_stat, n_var - 1, omnibus_p)
    own = {"units": n, "conversions": x, "z": z, "fisher": fisher}
    return BinomialBatch(
        rate=rate,
        rate_low=rate_low,
        rate_high=rate_high,
        **own,
        **comparison_fields(difference, lift, (beat, loss, best), tests),
    )


def _p_values(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray, z: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Two-sided p-values: the pooled z, or Fisher's exact test where an expected
    cell is small; NaN where a side has no units."""
    comparable = (n_t > 0) & (n_c > 0)
    fisher = needs_fisher(x_t, n_t, x_c, n_c)
    p_value = np.where(comparable, special.ndtr(-np.abs(z)) * 2.0, np.nan)
    if fisher.any():
        p_value[fisher] = fisher_exact_p(
            x_t[fisher], n_t[fisher], x_c[fisher], n_c[fisher]
        )
    return p_value, fisher


def _bayesian(
    n: FloatArray, x: FloatArray, higher_is_better: bool, wanted: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Chance to beat, expected loss (E, V-1) and chance to be best (E, V); NaN
    when the Bayesian figures are not wanted."""
    if wanted:
        a, b = beta_posteriors(n, x, higher_is_better)
        return posterior_summaries(a, b)
    challengers = (n.shape[0], n.shape[1] - 1)
    return (
        np.full(challengers, np.nan),
        np.full(challengers, np.nan),
        np.full(n.shape, np.nan),
    )


def chi_square_omnibus(
    units: FloatArray, conversions: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Pearson chi-square of the V x 2 table (no continuity correction), dof V-1.

    NaN when an expected count is 0: an empty variant, or nobody / everybody
    converting.
    """
    n, x = units, conversions
    total = n.sum(axis=1, keepdims=True)
    conv = x.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = n * conv / total
        e0 = n * (total - conv) / total
        stat = np.sum((x - e1) ** 2 / e1 + (n - x - e0) ** 2 / e0, axis=1)
    defined = np.all(n > 0, axis=1) & (conv[:, 0] > 0) & (conv[:, 0] < total[:, 0])
    stat = np.where(defined, stat, np.nan)
    return stat, np.where(defined, stats.chi2.sf(stat, n.shape[1] - 1), np.nan)
