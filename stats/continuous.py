"""Continuous metrics (revenue, deal size, days to close) from sufficient statistics.

Inputs per variant: units n, the mean, and M2, the sum of squared deviations from
the mean ((n - 1) sd^2); cells of several sprints combine by Chan et al.'s parallel
formula (combine_cells). Sums and sums of squares are accepted and converted once.
Welch's t-test compares each challenger with the control without
assuming equal variances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from .arrays import Estimates, FloatArray, comparison_fields
from .bayes import normal_summaries
from .errors import (
    StatsInputError,
    as_counts,
    as_float_array,
    check_batch,
    check_probability,
)
from .multiple import adjust_p_values

# Relative slack when checking that sum_squares >= sum^2 / n (rounding in the
# stored sums must not make a valid variance look negative).
_VARIANCE_SLACK = 1e-9


@dataclass(frozen=True)
class ContinuousBatch(Estimates):
    """Every continuous figure for E experiments with V variants (control first)."""

    units: FloatArray
    mean: FloatArray
    sd: FloatArray
    mean_low: FloatArray
    mean_high: FloatArray
    t: FloatArray
    df: FloatArray
    p_value: FloatArray
    p_value_adjusted: FloatArray
    omnibus_statistic: FloatArray
    omnibus_dof: int
    omnibus_dof_denominator: FloatArray
    omnibus_p_value: FloatArray
    chance_to_beat_control: FloatArray
    expected_loss: FloatArray
    chance_to_be_best: FloatArray


def cells_from_sums(
    units: FloatArray, sums: FloatArray, sum_squares: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(mean, M2) of cells given as sums: mean = sum / n and M2 = sum_squares -
    sum * mean (at least 0); the mean is 0 without units, M2 is 0 below 2 units.
    This subtraction is where sums lose a small spread: callers that can give
    means and M2 directly should."""
    mean = np.divide(sums, units, out=np.zeros(units.shape), where=units > 0)
    m2 = np.where(units > 1, np.maximum(sum_squares - sums * mean, 0.0), 0.0)
    return mean, m2


def check_sums(
    units: object, sums: object, sum_squares: object
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate cells given as sums (shapes, counts, a non-negative variance) and
    return them as (units, mean, M2), whatever their shape."""
    n = as_counts(units, "units")
    s = as_float_array(sums, "sums")
    q = as_float_array(sum_squares, "sum_squares")
    _check_shapes(n, (("sums", s), ("sum_squares", q)))
    if np.any((n == 0) & ((s != 0) | (q != 0))):
        raise StatsInputError("sums", "a variant with no units must have sums of 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.where(n > 0, s**2 / n, 0.0)
    if np.any(q < floor - _VARIANCE_SLACK * np.maximum(np.abs(floor), 1.0)):
        raise StatsInputError(
            "sum_squares", "sum of squares is smaller than sum^2 / units (impossible)"
        )
    return (n, *cells_from_sums(n, s, q))


def m2_from_sd(units: object, sd: object) -> FloatArray:
    """M2 of cells given their sample sd (n - 1): (n - 1) sd^2, 0 below 2 units."""
    n = np.asarray(units, dtype=np.float64)
    return np.where(n > 1, (n - 1.0) * np.asarray(sd, dtype=np.float64) ** 2, 0.0)


def check_means(
    units: object, means: object, m2s: object
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate cells given as means and M2 (the sum of squared deviations from
    the cell's mean, (n - 1) sd^2); the mean of a cell without units is 0."""
    n = as_counts(units, "units")
    m = as_float_array(means, "means")
    m2 = as_float_array(m2s, "m2s")
    _check_shapes(n, (("means", m), ("m2s", m2)))
    if np.any(m2 < 0):
        raise StatsInputError("m2s", "a sum of squared deviations cannot be negative")
    if np.any((n < 2) & (m2 != 0)):
        raise StatsInputError("m2s", "a variant with fewer than 2 units has M2 of 0")
    return n, np.where(n > 0, m, 0.0), m2 + 0.0


def _check_shapes(n: FloatArray, named: tuple[tuple[str, FloatArray], ...]) -> None:
    for name, arr in named:
        if arr.shape != n.shape:
            raise StatsInputError(
                name, f"shape {arr.shape} does not match units {n.shape}"
            )


def check_cells(
    units: object,
    sums: object = None,
    sum_squares: object = None,
    means: object = None,
    m2s: object = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(units, mean, M2), a column per variant, from either sums and
    sum_squares or means and m2s."""
    cells = _either(units, sums, sum_squares, means, m2s)
    if cells[0].ndim < 1 or cells[0].shape[-1] < 2:
        raise StatsInputError("units", "need at least two variants (control first)")
    return cells


def _either(
    units: object, sums: object, sum_squares: object, means: object, m2s: object
) -> tuple[FloatArray, FloatArray, FloatArray]:
    given_sums = sums is not None or sum_squares is not None
    if given_sums and (means is not None or m2s is not None):
        raise StatsInputError("sums", "give sums and sum_squares, or means and m2s")
    if given_sums:
        if sums is None or sum_squares is None:
            raise StatsInputError(
                "sums" if sums is None else "sum_squares",
                "required for a continuous metric",
            )
        return check_sums(units, sums, sum_squares)
    if means is None or m2s is None:
        raise StatsInputError(
            "means" if means is None else "m2s", "required for a continuous metric"
        )
    return check_means(units, means, m2s)


def _chan(a: tuple, b: tuple) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Two sets of cells as one (Chan, Golub & LeVeque's parallel formula)."""
    (n_a, mean_a, m2_a), (n_b, mean_b, m2_b) = a, b
    n = n_a + n_b
    share = np.divide(n_b, n, out=np.zeros(n.shape), where=n > 0)
    delta = mean_b - mean_a
    return n, mean_a + delta * share, m2_a + m2_b + delta * delta * n_a * share


def combine_cells(
    units: object, mean: object, m2: object, axis: int = 0, cumulative: bool = True
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Cells (units, mean, M2) combined along `axis`: cumulatively (the same
    shape, entry i combining cells 0..i), or into one total (`axis` removed).

    Chan et al.'s formula never subtracts two large sums, so a small spread
    around a large mean survives; cells without units count for nothing.
    """
    n, m, q = (
        np.moveaxis(np.asarray(v, dtype=np.float64), axis, 0) for v in (units, mean, m2)
    )
    m = np.where(n > 0, m, 0.0)
    acc = (n[0], m[0], q[0])
    out = [acc]
    for i in range(1, n.shape[0]):
        acc = _chan(acc, (n[i], m[i], q[i]))
        out.append(acc)
    if not cumulative:
        return acc
    n_c, m_c, q_c = (
        np.moveaxis(np.stack(part), 0, axis) for part in zip(*out, strict=True)
    )
    return n_c, m_c, q_c


def mean_and_sd(
    units: FloatArray, mean: FloatArray, m2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Mean and sample sd (n-1) of cells; NaN when undefined (no units, or one
    unit for the sd)."""
    var = np.divide(m2, units - 1.0, out=np.full(m2.shape, np.nan), where=units > 1)
    return np.where(units > 0, mean, np.nan), np.sqrt(var)


def welch_anova(
    units: FloatArray, mean: FloatArray, sd: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Welch's heteroscedastic one-way ANOVA (Welch 1951): F, dof2, p (dof1 = V-1)."""
    k = units.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = units / sd**2
        w_sum = w.sum(axis=1, keepdims=True)
        grand = np.sum(w * mean, axis=1, keepdims=True) / w_sum
        a = np.sum(w * (mean - grand) ** 2, axis=1) / (k - 1)
        tmp = np.sum((1.0 - w / w_sum) ** 2 / (units - 1.0), axis=1)
        f = a / (1.0 + 2.0 * (k - 2) / (k * k - 1) * tmp)
        df2 = (k * k - 1) / (3.0 * tmp)
    ok = np.all((units > 1) & (sd > 0), axis=1)
    f = np.where(ok, f, np.nan)
    df2 = np.where(ok, df2, np.nan)
    p = np.full(f.shape, np.nan)
    p[ok] = stats.f.sf(f[ok], k - 1, df2[ok])
    return f, df2, p


def analyze_continuous_batch(
    units: object,
    sums: object = None,
    sum_squares: object = None,
    alpha: float = 0.05,
    correction: str = "holm",
    higher_is_better: bool = True,
    *,
    means: object = None,
    m2s: object = None,
) -> ContinuousBatch:
    """Analyse E experiments at once; arrays shaped (E, V), control in column 0,
    the cells given as sums and sum_squares or (precisely) as means and m2s."""
    alpha = check_probability(alpha, "alpha")
    n, mean, m2 = check_cells(units, sums, sum_squares, means, m2s)
    check_batch(n)
    return continuous_batch(n, mean, m2, alpha, correction, higher_is_better)


def continuous_batch(
    n: FloatArray,
    cell_mean: FloatArray,
    m2: FloatArray,
    alpha: float,
    correction: str = "holm",
    higher_is_better: bool = True,
) -> ContinuousBatch:
    """The batch figures of checked (E, V) cells (units, mean, M2): Welch's
    t-test and interval (_welch), the relative lift (_lift), Welch's ANOVA for
    V >= 3, normal-approximation posteriors (bayes.normal_summaries)."""
    mean, sd = mean_and_sd(n, cell_mean, m2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd / np.sqrt(n)
        t_crit_one = stats.t.ppf(1.0 - alpha / 2.0, np.maximum(n - 1.0, 1.0))
    mean_low, mean_high = (
        np.where(n > 1, mean + k * t_crit_one * se, np.nan) for k in (-1, 1)
    )

    *difference, t, df, p_value = _welch(mean, se, n, alpha)
    lift = _lift(mean, se, n, alpha)
    p_adj = adjust_p_values(p_value, correction)
    k = n.shape[1]
    if k >= 3:
        f, df2, f_p = welch_anova(n, mean, sd)
    else:
        f = df2 = f_p = np.full(n.shape[0], np.nan)
    sign = 1.0 if higher_is_better else -1.0
    with np.errstate(invalid="ignore"):
        beat, loss, best = normal_summaries(sign * mean, np.where(n > 1, se, np.nan))
    tests = (p_value, p_adj, f, k - 1, f_p)
    own = {"units": n, "sd": sd, "t": t, "df": df, "omnibus_dof_denominator": df2}
    return ContinuousBatch(
        mean=mean,
        mean_low=mean_low,
        mean_high=mean_high,
        **own,
        **comparison_fields(difference, lift, (beat, loss, best), tests),
    )


def _welch(
    mean: FloatArray, se: FloatArray, n: FloatArray, alpha: float
) -> tuple[FloatArray, ...]:
    """Challenger minus control: difference, its Welch interval, t, df, p."""
    m_c, m_t = mean[:, :1], mean[:, 1:]
    se_c, se_t = se[:, :1], se[:, 1:]
    n_c, n_t = n[:, :1], n[:, 1:]
    diff = m_t - m_c
    with np.errstate(divide="ignore", invalid="ignore"):
        se_d = np.sqrt(se_t**2 + se_c**2)
        t = diff / se_d
        df = se_d**4 / (se_t**4 / (n_t - 1.0) + se_c**4 / (n_c - 1.0))
    defined = (n_t > 1) & (n_c > 1) & (se_d > 0)
    t = np.where(defined, t, np.nan)
    df = np.where(defined, df, np.nan)
    p_value = np.full(t.shape, np.nan)
    t_crit = np.full(t.shape, np.nan)
    p_value[defined] = 2.0 * stats.t.sf(np.abs(t[defined]), df[defined])
    t_crit[defined] = stats.t.ppf(1.0 - alpha / 2.0, df[defined])
    diff_low = np.where(defined, diff - t_crit * se_d, np.nan)
    diff_high = np.where(defined, diff + t_crit * se_d, np.nan)
    return diff, diff_low, diff_high, t, df, p_value


def _lift(
    mean: FloatArray, se: FloatArray, n: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """m_t / m_c - 1 with a delta-method interval on the plain ratio scale;
    undefined where the control mean is not positive or a side has n < 2."""
    m_c, m_t = mean[:, :1], mean[:, 1:]
    se_c, se_t = se[:, :1], se[:, 1:]
    n_c, n_t = n[:, :1], n[:, 1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        se_d = np.sqrt(se_t**2 + se_c**2)
    defined = (n_t > 1) & (n_c > 1) & (se_d > 0)
    diff = m_t - m_c
    z = special.ndtri(1.0 - alpha / 2.0)
    positive = np.broadcast_to(m_c > 0, diff.shape)
    lift_ok = positive & defined
    # Only where the control mean is positive: elsewhere the ratio is inf or NaN
    # and inf - inf would raise a RuntimeWarning (an error under strict warnings).
    safe_m_c = np.where(m_c > 0, m_c, 1.0)
    ratio = np.where(positive, m_t / safe_m_c, np.nan)
    lift = ratio - 1.0
    with np.errstate(invalid="ignore"):  # NaN standard errors (n < 2) stay NaN
        se_ratio = np.sqrt(se_t**2 + ratio**2 * se_c**2) / safe_m_c
        lift_low = np.where(lift_ok, lift - z * se_ratio, np.nan)
        lift_high = np.where(lift_ok, lift + z * se_ratio, np.nan)
    return lift, lift_low, lift_high
