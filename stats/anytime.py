"""The report's looks when no sample size is planned: always-valid at every sprint.

Without a planned sample size there is no maximum information to spend alpha
against: judging each sprint as if it were the last let 15% of A/A tests declare
a winner at alpha 5% (benchmarks/error_rates.py). Here every sprint is a look of
the mixture SPRT (stats.always_valid), so a winner can be claimed at any sprint,
or never, with the error held at alpha however often the team looks.

Per look, on the cumulative data, each challenger gets two confidence sequences:
one for the difference (its crossing decides significance) and one for the
relative lift, on the log scale of the risk ratio for binomial metrics (Katz's
variance; Greenland-Robins' when stratified) and by the delta method for means.
When the planned split changed between sprints, the binomial estimates are the
Mantel-Haenszel ones with Sato's variance, as in the fixed-plan looks.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy import special

from . import wording
from .always_valid import DEFAULT_TUNED_UNITS_PER_VARIANT, AlwaysValid, always_valid
from .arrays import FloatArray
from .checks import Inputs
from .continuous import mean_and_sd
from .estimates import Estimate
from .looks import Track, information
from .report_types import Notes, num
from .stratified import mantel_haenszel


def applies(inp: Inputs) -> bool:
    """No planned sample size: the looks are always-valid, unless the plan is
    a single look (then the one look is a fixed-sample test, and later sprints
    are past the plan)."""
    return inp.plan_units is None and inp.planned_looks != 1


def _pooled_binomial(inp: Inputs) -> tuple[FloatArray, ...]:
    """Difference, its variance, log risk ratio, its variance: (S, V-1) each."""
    assert inp.x is not None
    n, x = inp.cum_n, np.cumsum(inp.x, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        var = p * (1.0 - p) / n
        var_d = var[:, 1:] + var[:, :1]
        # 0% or 100% on both sides: the pooled variance (nonzero only for 0 vs 100).
        pooled = (x[:, 1:] + x[:, :1]) / (n[:, 1:] + n[:, :1])
        var_pooled = pooled * (1.0 - pooled) * (1.0 / n[:, 1:] + 1.0 / n[:, :1])
        var_d = np.where(var_d > 0, var_d, var_pooled)
        log_rr = np.log(p[:, 1:] / p[:, :1])
        var_log = 1 / x[:, 1:] - 1 / n[:, 1:] + 1 / x[:, :1] - 1 / n[:, :1]
    both = (x[:, 1:] > 0) & (x[:, :1] > 0)
    return p[:, 1:] - p[:, :1], var_d, np.where(both, log_rr, np.nan), var_log


def _stratified_binomial(inp: Inputs) -> tuple[FloatArray, ...]:
    """The Mantel-Haenszel figures on sprints 1..s for every look s.

    Their intervals are symmetric (the difference) and log-symmetric (the
    ratio), so each standard error is read back exactly from its interval.
    """
    assert inp.x is not None
    z = special.ndtri(1.0 - inp.alpha / 2.0)
    rows = []
    for s in range(inp.n_sprints):
        sl = slice(0, s + 1)
        mh = mantel_haenszel(
            inp.x[sl, 1:], inp.n[sl, 1:], inp.x[sl, :1], inp.n[sl, :1], inp.alpha
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            se_d = (mh.difference_high - mh.difference_low) / (2.0 * z)
            log_rr = np.log1p(mh.relative_lift)
            se_log = (
                np.log1p(mh.relative_lift_high) - np.log1p(mh.relative_lift_low)
            ) / (2.0 * z)
        rows.append((mh.difference, se_d**2, log_rr, se_log**2))
    return tuple(np.array(part) for part in zip(*rows, strict=True))


def _continuous(inp: Inputs) -> tuple[FloatArray, ...]:
    """Difference of means and Welch's variance; the ratio of means - 1 and its
    delta-method variance (var_t + ratio^2 var_c) / mean_c^2."""
    n, cum_mean, cum_m2 = inp.cum_cells
    mean, sd = mean_and_sd(n, cum_mean, cum_m2)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(n > 1, sd**2 / n, np.nan)
        m_t, m_c = mean[:, 1:], mean[:, :1]
        ratio = m_t / m_c
        var_ratio = (var[:, 1:] + ratio**2 * var[:, :1]) / m_c**2
    lift_ok = m_c > 0
    return (
        m_t - m_c,
        var[:, 1:] + var[:, :1],
        np.where(lift_ok, ratio - 1.0, np.nan),
        np.where(lift_ok, var_ratio, np.nan),
    )


def _sequences(inp: Inputs) -> tuple[AlwaysValid, AlwaysValid, bool, FloatArray]:
    """Confidence sequences of the difference and of the lift (log scale: True),
    and the difference and lift themselves, (2, S, V-1) (defined where their
    variance may not be)."""
    if inp.metric == "continuous":
        d, var_d, lift, var_lift = _continuous(inp)
        log_scale = False
    else:
        source = _stratified_binomial if inp.stratify else _pooled_binomial
        d, var_d, lift, var_lift = source(inp)
        log_scale = True
    n_eff = information(inp)

    def sequence(estimate: FloatArray, variance: FloatArray) -> AlwaysValid:
        ok = np.isfinite(estimate) & np.isfinite(variance) & (variance > 0)
        return always_valid(
            np.where(ok, estimate, 0.0),
            np.where(ok, variance, 0.0),
            n_eff,
            inp.alpha,
            DEFAULT_TUNED_UNITS_PER_VARIANT,
            comparisons=inp.n_var - 1,
        )

    raw = np.stack([d, np.expm1(lift) if log_scale else lift])
    diff = sequence(d, var_d)
    if inp.metric == "binomial":  # a difference of two rates lies in [-1, 1]
        diff = replace(
            diff, lower=np.maximum(diff.lower, -1.0), upper=np.minimum(diff.upper, 1.0)
        )
    return diff, sequence(lift, var_lift), log_scale, raw


def looks(inp: Inputs, notes: Notes) -> tuple[list[Track], list[list[Estimate]]]:
    """Tracks (always-valid z and boundary per sprint) and the estimates with
    always-valid intervals, per challenger."""
    notes.add("always_valid", wording.always_valid_mode(inp.planned_looks))
    diff, lift, log_scale, raw = _sequences(inp)
    # No planned information: no fraction to show, and no planned end to reach.
    share = np.full(inp.n_sprints, math.nan)
    tracks, estimates = [], []
    for j in range(inp.n_var - 1):
        informed = np.isfinite(diff.z[:, j])
        tracks.append(
            Track(
                z=diff.z[:, j],
                raw=share,
                used=share,
                bounds=np.where(informed, diff.z_boundary[:, j], np.inf),
                informed=informed,
            )
        )
        estimates.append(
            [
                _estimate(diff, lift, log_scale, raw[:, s, j], (s, j))
                for s in range(inp.n_sprints)
            ]
        )
    return tracks, estimates


def _estimate(
    diff: AlwaysValid,
    lift: AlwaysValid,
    log_scale: bool,
    point: FloatArray,
    at: tuple[int, int],
) -> Estimate:
    """The estimate at look s of challenger j (at = (s, j)): point = (difference,
    lift), with their always-valid intervals where the sequences are defined."""

    def bounds(seq: AlwaysValid) -> list[float | None]:
        if not np.isfinite(seq.z[at]):
            return [None, None]
        return [num(seq.lower[at]), num(seq.upper[at])]

    lift_ci = bounds(lift)
    if log_scale:
        lift_ci = [_expm1(v) for v in lift_ci]
    return {
        "difference": num(point[0]),
        "difference_ci": bounds(diff),
        "relative_lift": num(point[1]),
        "relative_lift_ci": lift_ci,
        "always_valid": True,
    }


def _expm1(value: float | None) -> float | None:
    return None if value is None else num(math.expm1(value))
