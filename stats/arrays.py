"""Array types and the estimate every comparison carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    tests: tuple[Any, ...],
) -> dict[str, Any]:
    """The fields every batch shares, from (estimate, low, high) of the difference
    and of the lift, (chance to beat, expected loss, chance to be best) and the
    tests: (p-value, adjusted p-value, omnibus statistic, its dof, its p-value)."""
    names = (
        "difference", "difference_low", "difference_high",
        "relative_lift", "relative_lift_low", "relative_lift_high",
        "chance_to_beat_control", "expected_loss", "chance_to_be_best",
        "p_value", "p_value_adjusted",
        "omnibus_statistic", "omnibus_dof", "omnibus_p_value",
    )  # fmt: skip
    values = (*difference, *lift, *bayesian, *tests)
    return dict(zip(names, values, strict=True))
