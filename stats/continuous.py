"""Continuous metrics (revenue, deal size, days to close) from sufficient statistics.

Inputs per variant: units n, sum of values, sum of squared values (they add up
across sprints). Welch's t-test compares each challenger with the control without
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


def sufficient_from_mean_sd(
    units: object, mean: object, sd: object
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(units, mean, sample sd with n-1) -> (units, sums, sum_squares) arrays."""
    n = as_counts(units, "units")
    m = as_float_array(mean, "mean")
    s = as_float_array(sd, "sd")
    try:
        n, m, s = np.broadcast_arrays(n, m, s)
    except ValueError as exc:
        raise StatsInputError("mean", "units, mean and sd must have one shape") from exc
    if np.any(s < 0):
        raise StatsInputError("sd", "a standard deviation cannot be negative")
    sums = n * m
    sum_squares = np.where(n > 0, (n - 1.0) * s**2 + n * m**2, 0.0)
    return n.copy(), sums, sum_squares


def check_continuous(
    units: object, sums: object, sum_squares: object
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate the sufficient statistics: shapes, counts, a non-negative variance."""
    n = as_counts(units, "units")
    s = as_float_array(sums, "sums")
    q = as_float_array(sum_squares, "sum_squares")
    for name, arr in (("sums", s), ("sum_squares", q)):
        if arr.shape != n.shape:
            raise StatsInputError(
                name, f"shape {arr.shape} does not match units {n.shape}"
            )
    if n.ndim < 1 or n.shape[-1] < 2:
        raise StatsInputError("units", "need at least two variants (control first)")
    if np.any((n == 0) & ((s != 0) | (q != 0))):
        raise StatsInputError("sums", "a variant with no units must have sums of 0")
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.where(n > 0, s**2 / n, 0.0)
    if np.any(q < floor - _VARIANCE_SLACK * np.maximum(np.abs(floor), 1.0)):
        raise StatsInputError(
            "sum_squares", "sum of squares is smaller than sum^2 / units (impossible)"
        )
    return n, s, q


def mean_and_sd(
    units: FloatArray, sums: FloatArray, sum_squares: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Mean and sample sd (n-1); NaN when undefined (no units, or one unit for sd)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(units > 0, sums / units, np.nan)
        var = (sum_squares - sums * mean) / (units - 1.0)
    var = np.where(units > 1, np.maximum(var, 0.0), np.nan)
    return mean, np.sqrt(var)


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
    sums: object,
    sum_squares: object,
    alpha: float = 0.05,
    correction: str = "holm",
    higher_is_better: bool = True,
) -> ContinuousBatch:
    """Analyse E experiments at once; arrays shaped (E, V), control in column 0:
    Welch's t-test and interval (_welch), the relative lift (_lift), Welch's ANOVA
    for V >= 3, normal-approximation posteriors (bayes.normal_summaries)."""
    alpha = check_probability(alpha, "alpha")
    n, s, q = check_continuous(units, sums, sum_squares)
    check_batch(n)
    mean, sd = mean_and_sd(n, s, q)
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
    return ContinuousBatch(
        units=n,
        mean=mean,
        sd=sd,
        mean_low=mean_low,
        mean_high=mean_high,
        t=t,
        df=df,
        p_value=p_value,
        p_value_adjusted=p_adj,
        omnibus_statistic=f,
        omnibus_dof=k - 1,
        omnibus_dof_denominator=df2,
        omnibus_p_value=f_p,
        **comparison_fields(difference, lift, (beat, loss, best)),
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
