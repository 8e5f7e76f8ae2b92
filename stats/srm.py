"""Sample ratio mismatch: did the traffic split come out as planned?"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .arrays import FloatArray

# Alarm threshold used by the A/B testing literature (Kohavi et al., "Trustworthy
# Online Controlled Experiments", 2020, ch. 21): a real mismatch, not noise.
SRM_ALPHA = 0.001


@dataclass(frozen=True)
class SRMResult:
    """Chi-square goodness of fit of the units against the planned split."""

    statistic: float
    dof: int
    p_value: float
    mismatch: bool
    expected: tuple[float, ...]


def sample_ratio_mismatch(units: FloatArray, split: FloatArray) -> SRMResult:
    """units (S, V) per sprint; split (S, V), each row summing to 1.

    Expected counts are each sprint's total units times that sprint's planned
    split, summed over sprints, so a split that changed is handled. NaN statistic
    when there are no units. A variant planned at 0% that received units is a
    mismatch by definition (p = 0).
    """
    observed = units.sum(axis=0)
    expected = (units.sum(axis=1, keepdims=True) * split).sum(axis=0)
    if observed.sum() == 0:
        return SRMResult(float("nan"), 0, float("nan"), False, tuple(expected))
    planned = expected > 0
    if np.any(observed[~planned] > 0):
        return SRMResult(float("inf"), 0, 0.0, True, tuple(expected))
    stat = float(
        np.sum((observed[planned] - expected[planned]) ** 2 / expected[planned])
    )
    dof = int(planned.sum()) - 1
    if dof < 1:
        return SRMResult(float("nan"), 0, float("nan"), False, tuple(expected))
    p = float(stats.chi2.sf(stat, dof))
    return SRMResult(stat, dof, p, p < SRM_ALPHA, tuple(float(e) for e in expected))
