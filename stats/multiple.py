"""Multiple-comparison adjustments across the challengers of each experiment."""

from __future__ import annotations

import numpy as np

from .arrays import FloatArray
from .errors import check_choice

CORRECTIONS = ("holm", "bh")


def _ranked(p_values: FloatArray):
    """Each row's p-values in ascending order (NaN last), their order, the number
    m of defined ones and the ranks 1..m."""
    p = np.atleast_2d(np.asarray(p_values, dtype=np.float64))
    order = np.argsort(p, axis=1, kind="stable")
    sorted_p = np.take_along_axis(p, order, axis=1)
    missing = np.isnan(sorted_p)
    m = np.sum(~missing, axis=1, keepdims=True).astype(np.float64)
    rank = np.arange(1, p.shape[1] + 1, dtype=np.float64)[None, :]
    return order, sorted_p, missing, m, rank


def _unsorted(values: FloatArray, order) -> FloatArray:
    out = np.empty_like(values)
    np.put_along_axis(out, order, values, axis=1)
    return out


def adjust_p_values(p_values: FloatArray, method: str = "holm") -> FloatArray:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate).

    p_values: (E, m), one row per experiment. NaN (an undefined p-value) stays NaN
    and is left out of its row's family. Matches statsmodels' multipletests.
    """
    check_choice(method, "correction", CORRECTIONS)
    order, sorted_p, missing, m, rank = _ranked(p_values)
    if method == "holm":
        scaled = np.where(missing, 0.0, (m - rank + 1.0) * sorted_p)
        adjusted = np.maximum.accumulate(scaled, axis=1)
    else:
        scaled = np.where(missing, np.inf, m / rank * sorted_p)
        adjusted = np.minimum.accumulate(scaled[:, ::-1], axis=1)[:, ::-1]
    adjusted = np.where(missing, np.nan, np.minimum(adjusted, 1.0))
    return _unsorted(adjusted, order)


def critical_levels(
    p_values: FloatArray, alpha: float, method: str = "holm"
) -> FloatArray:
    """The significance level each raw p-value is judged at by Holm or BH.

    p_values: (E, m). A comparison is significant (adjusted p below alpha) exactly
    when its raw p-value is below its level, so the level turns into a z
    boundary that agrees with the adjusted p-value. With the p-values ranked
    r = 1..m (m defined ones):

    - Holm (step-down): alpha / (m - r + 1) up to the first rank that fails; that
      rank and every later one get the failing rank's level (they are not
      significant, and their p-values are not below it).
    - BH (step-up): with k the largest rank whose p-value is below k alpha / m,
      ranks up to k get k alpha / m (all significant) and later ranks r get
      r alpha / m (none significant).

    NaN p-values stay NaN.
    """
    check_choice(method, "correction", CORRECTIONS)
    order, sorted_p, missing, m, rank = _ranked(p_values)
    if method == "holm":
        with np.errstate(divide="ignore"):
            step = alpha / (m - rank + 1.0)
        fails = ~missing & (sorted_p >= step)
        stopped = np.cumsum(fails, axis=1) > 0
        first_fail = np.argmax(fails, axis=1)
        stop_level = np.take_along_axis(step, first_fail[:, None], axis=1)
        level = np.where(stopped, stop_level, step)
    else:
        step = rank * alpha / np.maximum(m, 1.0)
        passes = ~missing & (sorted_p < step)
        k = np.max(np.where(passes, rank, 0.0), axis=1, keepdims=True)
        level = np.where(rank <= k, k * alpha / np.maximum(m, 1.0), step)
    level = np.where(missing, np.nan, level)
    return _unsorted(level, order)
