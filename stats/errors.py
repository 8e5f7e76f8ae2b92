"""Input errors that name the offending field, for a 422 at the HTTP layer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray


class StatsInputError(ValueError):
    """Invalid input to the statistics engine; `.field` names the argument."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def as_float_array(value: Any, field: str) -> NDArray[np.float64]:
    """Convert to a finite float array or raise StatsInputError naming the field."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise StatsInputError(field, "must be numbers") from exc
    if not np.all(np.isfinite(arr)):
        raise StatsInputError(field, "must be finite numbers (no NaN or infinity)")
    return arr


def as_counts(value: Any, field: str) -> NDArray[np.float64]:
    """Non-negative whole numbers, as floats (counts can exceed int32)."""
    arr = as_float_array(value, field)
    if np.any(arr < 0):
        raise StatsInputError(field, "counts cannot be negative")
    if np.any(arr != np.floor(arr)):
        raise StatsInputError(field, "counts must be whole numbers")
    return arr


def check_probability(value: float, field: str) -> float:
    """A number strictly between 0 and 1 (alpha, power, a baseline rate)."""
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise StatsInputError(field, "must be a number between 0 and 1") from exc
    if not 0.0 < v < 1.0:
        raise StatsInputError(field, f"must be strictly between 0 and 1, got {v:g}")
    return v


def check_choice(value: str, field: str, choices: Sequence[str]) -> str:
    """One of a fixed set of option names."""
    if value not in choices:
        raise StatsInputError(field, f"must be one of {', '.join(choices)}")
    return value


def check_positive(value: object, field: str) -> float:
    """A finite number above 0 (traffic, a tuning size)."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise StatsInputError(field, "must be a number") from exc
    if not v > 0 or not math.isfinite(v):
        raise StatsInputError(field, "must be above 0")
    return v


def check_batch(units: np.ndarray) -> None:
    """Batch functions take (experiments, variants) arrays."""
    if units.ndim != 2:
        raise StatsInputError(
            "units", "batch input must be 2-D (experiments, variants)"
        )
