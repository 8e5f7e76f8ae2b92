"""The result types of analyze() and their JSON-safe form.

Report holds plain Python values; to_dict() turns numpy scalars into Python ones
and NaN or infinity into None, so the JSON API never carries a non-JSON number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Warning_:
    """A warning for the reader: a stable code and a plain-words message."""

    code: str
    message: str


class Notes:
    """The warnings one analysis collects, in order, each given once."""

    def __init__(self) -> None:
        self.items: list[Warning_] = []

    def add(self, code: str, message: str) -> None:
        """Keep a warning unless the same one is already there."""
        w = Warning_(code, message)
        if w not in self.items:
            self.items.append(w)


@dataclass(frozen=True)
class Report:
    """Everything analyze() found; to_dict() gives the JSON-safe form.

    Fields hold plain Python values (None for figures that do not exist).
    recommendation is the to_dict() of a recommend.Recommendation (what to do).
    """

    metric: str
    metric_label: str
    alpha: float
    higher_is_better: bool
    variants: tuple[dict[str, Any], ...]
    comparisons: tuple[dict[str, Any], ...]
    chance_to_be_best: tuple[float | None, ...]
    omnibus: dict[str, Any] | None
    srm: dict[str, Any]
    looks: tuple[dict[str, Any], ...]
    stratified: dict[str, Any] | None
    planning: dict[str, Any]
    warnings: tuple[Warning_, ...] = field(default_factory=tuple)
    recommendation: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: only str/int/float/bool/None/list/dict, no NaN or inf."""
        return clean(
            {
                "metric": self.metric,
                "metric_label": self.metric_label,
                "alpha": self.alpha,
                "higher_is_better": self.higher_is_better,
                "variants": self.variants,
                "comparisons": self.comparisons,
                "chance_to_be_best": self.chance_to_be_best,
                "omnibus": self.omnibus,
                "srm": self.srm,
                "looks": self.looks,
                "stratified": self.stratified,
                "planning": self.planning,
                "warnings": [
                    {"code": w.code, "message": w.message} for w in self.warnings
                ],
                "recommendation": self.recommendation,
            }
        )


def clean(obj: Any) -> Any:
    """Recursively convert numpy values to Python ones; NaN and inf become None."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | np.ndarray):
        return [clean(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj


def num(x: Any) -> float | None:
    """A float, or None where it is NaN or infinite."""
    v = float(x)
    return v if math.isfinite(v) else None


def count(x: Any) -> int:
    """A count stored as a float, as an int."""
    return int(round(float(x)))
