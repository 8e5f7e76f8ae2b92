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


def comparison_fields(
    difference: tuple[FloatArray, ...],
    lift: tuple[FloatArray, ...],
    bayesian: tuple[FloatArray, ...],
) -> dict[str, FloatArray]:
    """The fields every batch shares, from (estimate, low, high) of the difference
    and of the lift and (chance to beat, expected loss, chance to be best)."""
    names = (
        "difference", "difference_low", "difference_high",
        "relative_lift", "relative_lift_low", "relative_lift_high",
        "chance_to_beat_control", "expected_loss", "chance_to_be_best",
    )  # fmt: skip
    return dict(zip(names, (*difference, *lift, *bayesian), strict=True))
