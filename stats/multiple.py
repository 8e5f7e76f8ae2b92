"""Multiple-comparison adjustments across the challengers of each experiment."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .errors import check_choice

FloatArray = NDArray[np.float64]
CORRECTIONS = ("holm", "bh")


def adjust_p_values(p_values: FloatArray, method: str = "holm") -> FloatArray:
    """Holm (family-wise error) or Benjamini-Hochberg (false discovery rate).

    p_values: (E, m), one row per experiment. NaN (an undefined p-value) stays NaN
    and is left out of its row's family. Matches statsmodels' multipletests.
    """
    check_choice(method, "correction", CORRECTIONS)
    p = np.atleast_2d(np.asarray(p_values, dtype=np.float64))
    order = np.argsort(p, axis=1, kind="stable")  # NaN sorts last
    sorted_p = np.take_along_axis(p, order, axis=1)
    missing = np.isnan(sorted_p)
    m = np.sum(~missing, axis=1, keepdims=True).astype(np.float64)
    rank = np.arange(1, p.shape[1] + 1, dtype=np.float64)[None, :]
    if method == "holm":
        scaled = np.where(missing, 0.0, (m - rank + 1.0) * sorted_p)
        adjusted = np.maximum.accumulate(scaled, axis=1)
    else:
        scaled = np.where(missing, np.inf, m / rank * sorted_p)
        adjusted = np.minimum.accumulate(scaled[:, ::-1], axis=1)[:, ::-1]
    adjusted = np.where(missing, np.nan, np.minimum(adjusted, 1.0))
    out = np.empty_like(adjusted)
    np.put_along_axis(out, order, adjusted, axis=1)
    return out
