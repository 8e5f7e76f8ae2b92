"""Cochran-Mantel-Haenszel tests stratified by sprint.

When the traffic split changes between sprints, pooling the counts mixes sprints
with different baseline rates into arms in different proportions (Simpson's
paradox). Comparing within each sprint and combining avoids that.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]


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
