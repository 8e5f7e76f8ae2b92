"""Array types and the estimate every comparison carries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Estimates:
    """Challenger against control: the difference and the relative lift, each
    with its interval; NaN where a figure does not exist."""

    difference: FloatArray
    difference_low: FloatArray
    difference_high: FloatArray
    relative_lift: FloatArray
    relative_lift_low: FloatArray
    relative_lift_high: FloatArray
