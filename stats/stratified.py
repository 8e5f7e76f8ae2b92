"""Cochran-Mantel-Haenszel tests stratified by sprint.

When the traffic split changes between sprints, pooling the counts mixes sprints
with different baseline rates into arms in different proportions (Simpson's
paradox). Comparing within each sprint and combining avoids that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from .arrays import Estimates, FloatArray


def cmh_z(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray
) -> FloatArray:
    """Signed CMH z (challenger minus control) over strata on the first axis.

    Inputs (S, ...) per sprint; z^2 is the CMH statistic without continuity
    correction (statsmodels StratifiedTable.test_null_odds(correction=False)).
    Strata with a single unit or no variation add nothing. NaN if none inform.
    """
    total = n_t + n_c
    conv = x_t + x_c
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(total > 0, n_t * conv / total, 0.0)
        var = np.where(
            total > 1,
            n_t * n_c * conv * (total - conv) / (total**2 * (total - 1.0)),
            0.0,
        )
        v = var.sum(axis=0)
        z = (x_t - expected).sum(axis=0) / np.sqrt(v)
    return np.where(v > 0, z, np.nan)


def cmh_general(units: FloatArray, conversions: FloatArray) -> tuple[float, int, float]:
    """Generalised CMH test of V variants x converted/not, stratified by sprint.

    units, conversions: (S, V). Statistic (n - m)' V^-1 (n - m) over the first V-1
    variants' conversions with multivariate hypergeometric covariance summed over
    sprints; chi-square with V-1 degrees of freedom (Landis, Heyman & Koch 1978).
    For V = 2 it is the classical CMH statistic. NaN if the covariance is singular.
    """
    n = units[:, :-1]
    total = units.sum(axis=1)
    conv = conversions.sum(axis=1)
    k = units.shape[1] - 1
    resid = np.zeros(k)
    cov = np.zeros((k, k))
    for s in range(units.shape[0]):
        if total[s] < 2:
            continue
        p = conv[s] / total[s]
        resid += conversions[s, :-1] - n[s] * p
        factor = conv[s] * (total[s] - conv[s]) / (total[s] ** 2 * (total[s] - 1.0))
        cov += factor * (np.diag(n[s] * total[s]) - np.outer(n[s], n[s]))
    if np.linalg.matrix_rank(cov) < k:
        return float("nan"), k, float("nan")
    stat = float(resid @ np.linalg.solve(cov, resid))
    return stat, k, float(stats.chi2.sf(stat, k))


@dataclass(frozen=True)
class MantelHaenszel(Estimates):
    """Mantel-Haenszel estimates over strata (sprints), challenger vs control.

    difference: the MH risk difference, with Sato's (1989) variance (consistent
    in sparse data and in large strata alike); relative_lift: the MH risk ratio
    minus 1, its interval from the Greenland-Robins (1985) variance of log RR.
    Arrays of the shape of the inputs without the stratum axis; NaN where the
    figure does not exist (no units, or no control conversions for the ratio).
    """


def mantel_haenszel(
    x_t: FloatArray, n_t: FloatArray, x_c: FloatArray, n_c: FloatArray, alpha: float
) -> MantelHaenszel:
    """MH risk difference and risk ratio with (1 - alpha) intervals.

    Inputs (S, ...) per stratum. With a = x_t, c = x_c, N = n_t + n_c and
    W = sum n_t n_c / N:
      RD = sum (a n_c - c n_t) / N / W,
      Var RD (Sato) = (RD sum P + sum Q) / W^2 with
        P = (n_t^2 c - n_c^2 a + n_t n_c (n_c - n_t) / 2) / N^2,
        Q = (a (n_c - c) + c (n_t - a)) / (2 N);
      RR = R / S with R = sum a n_c / N, S = sum c n_t / N,
      Var log RR (Greenland-Robins) = sum (n_t n_c (a + c) - a c N) / N^2 / (R S).
    Strata where either arm has no units add nothing.
    """
    x_t, n_t, x_c, n_c = (np.asarray(v, dtype=np.float64) for v in (x_t, n_t, x_c, n_c))
    use = (n_t > 0) & (n_c > 0)
    total = np.where(use, n_t + n_c, 1.0)
    a, c = np.where(use, x_t, 0.0), np.where(use, x_c, 0.0)
    m, k = np.where(use, n_t, 0.0), np.where(use, n_c, 0.0)
    z = special.ndtri(1.0 - alpha / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (m * k / total).sum(axis=0)
        rd = ((a * k - c * m) / total).sum(axis=0) / w
        p = ((m * m * c - k * k * a + m * k * (k - m) / 2.0) / total**2).sum(axis=0)
        q = ((a * (k - c) + c * (m - a)) / (2.0 * total)).sum(axis=0)
        se_rd = np.sqrt(np.maximum(rd * p + q, 0.0)) / w
        r, s = (a * k / total).sum(axis=0), (c * m / total).sum(axis=0)
        rr = r / s
        v_log = ((m * k * (a + c) - a * c * total) / total**2).sum(axis=0) / (r * s)
        half = z * np.sqrt(v_log)
        lift_low = np.where(r > 0, np.exp(np.log(rr) - half) - 1.0, np.nan)
        lift_high = np.where(r > 0, np.exp(np.log(rr) + half) - 1.0, np.nan)
    rd = np.where(w > 0, rd, np.nan)
    lift = np.where(s > 0, rr - 1.0, np.nan)
    return MantelHaenszel(
        difference=rd,
        difference_low=rd - z * se_rd,
        difference_high=rd + z * se_rd,
        relative_lift=lift,
        relative_lift_low=np.where(s > 0, lift_low, np.nan),
        relative_lift_high=np.where(s > 0, lift_high, np.nan),
    )
