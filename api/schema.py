"""Validating the public JSON API's requests: every error names its field.

The same parsers serve the calculator page, so the page and the API accept and
refuse exactly the same input.
"""

from __future__ import annotations

import math
from typing import Any

from core.limits import (
    MAX_COUNT,
    MAX_PLANNED_LOOKS,
    MAX_SPRINTS,
    MAX_VALUE,
    MAX_VARIANT_NAME,
    MAX_VARIANTS,
)
from stats import MIN_BASELINE_RATE, MIN_RELATIVE_MDE

SPENDING = ("obrien_fleming", "pocock")


class InputError(Exception):
    """A request the API refuses: `status` 400 when malformed, 422 when invalid."""

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def to_dict(self) -> dict:
        return {"error": self.message, "field": self.field}


def require_object(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise InputError("The request body must be a JSON object.", None, 400)
    return payload


def _is_number(value: Any) -> bool:
    """A finite JSON number (true/false are not numbers; 1e400 and 10**400 are
    not finite for our purposes)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def count(value: Any, field: str) -> int:
    """A whole number from 0 to MAX_COUNT (2.0 is accepted as 2)."""
    if not _is_number(value):
        raise InputError(f"{field} must be a whole number.", field)
    if value != int(value):
        raise InputError(f"{field} must be a whole number, not {value!r}.", field)
    if value < 0:
        raise InputError(f"{field} cannot be negative.", field)
    if value > MAX_COUNT:
        raise InputError(f"{field} must be at most {MAX_COUNT:,}.", field)
    return int(value)


def number(
    value: Any,
    field: str,
    *,
    above: float | None = None,
    below: float | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    if not _is_number(value):
        raise InputError(f"{field} must be a finite number.", field)
    value = float(value)
    if above is not None and value <= above:
        raise InputError(f"{field} must be greater than {above:g}.", field)
    if below is not None and value >= below:
        raise InputError(f"{field} must be less than {below:g}.", field)
    if minimum is not None and value < minimum:
        raise InputError(f"{field} must be at least {minimum:g}.", field)
    if maximum is not None and value > maximum:
        raise InputError(f"{field} must be at most {maximum:g}.", field)
    return value


def optional(payload: dict, key: str, default, parse, *args, **kwargs):
    if payload.get(key) is None:
        return default
    return parse(payload[key], key, *args, **kwargs)


def choice(value: Any, field: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InputError(f"{field} must be one of: {', '.join(choices)}.", field)
    return value


def boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{field} must be true or false.", field)
    return value


def integer(value: Any, field: str, minimum: int, maximum: int) -> int:
    if not _is_number(value) or value != int(value):
        raise InputError(f"{field} must be a whole number.", field)
    if not minimum <= value <= maximum:
        raise InputError(f"{field} must be from {minimum} to {maximum}.", field)
    return int(value)


def _list(value: Any, field: str, minimum: int, maximum: int) -> list:
    if not isinstance(value, list):
        raise InputError(f"{field} must be a list.", field)
    if not minimum <= len(value) <= maximum:
        raise InputError(
            f"{field} must have from {minimum} to {maximum} entries.", field
        )
    return value


def split(value: Any, field: str, size: int) -> list[float]:
    shares = _list(value, field, size, size)
    parsed = [number(s, f"{field}[{i}]", above=0) for i, s in enumerate(shares)]
    if abs(sum(parsed) - 1) > 1e-6:
        raise InputError(
            f"{field} must add up to 1 (it adds up to {sum(parsed):g}).", field
        )
    return parsed


def _figures(entry: dict, field: str, metric: str) -> tuple[int, float, float]:
    """(units, first, second): conversions for binomial; sum and sum of squares."""
    if not isinstance(entry, dict):
        raise InputError(f"{field} must be an object.", field)
    units = count(entry.get("units"), f"{field}.units")
    if metric == "binomial":
        conversions = count(entry.get("conversions"), f"{field}.conversions")
        if conversions > units:
            raise InputError(
                f"{field}.conversions ({conversions:,}) cannot exceed "
                f"units ({units:,}).",
                f"{field}.conversions",
            )
        return units, conversions, 0.0
    if "mean" in entry or "sd" in entry:
        mean = number(
            entry.get("mean"), f"{field}.mean", minimum=-MAX_VALUE, maximum=MAX_VALUE
        )
        sd = number(entry.get("sd"), f"{field}.sd", minimum=0, maximum=MAX_VALUE)
        if units < 2 and sd > 0:
            raise InputError(
                f"{field}.sd must be 0 with fewer than 2 units.", f"{field}.sd"
            )
        total = units * mean
        squares = (units - 1) * sd**2 + units * mean**2 if units else 0.0
        return units, total, squares
    total = number(entry.get("sum"), f"{field}.sum")
    squares = number(entry.get("sum_squares"), f"{field}.sum_squares", minimum=0)
    if units and squares < total * total / units * (1 - 1e-9) - 1e-9:
        raise InputError(
            f"{field}.sum_squares is smaller than sum²/units, which no data can give.",
            f"{field}.sum_squares",
        )
    return units, total, squares


def parse_analyze(payload: Any) -> dict:
    """The request of POST /api/v1/analyze as keyword arguments for stats.analyze."""
    payload = require_object(payload)
    metric = choice(
        payload.get("metric", "binomial"), "metric", ("binomial", "continuous")
    )
    variants = _list(payload.get("variants"), "variants", 2, MAX_VARIANTS)
    names: list[str] = []
    per_variant: list[list[tuple[int, float, float]]] = []
    for i, variant in enumerate(variants):
        field = f"variants[{i}]"
        if not isinstance(variant, dict):
            raise InputError(f"{field} must be an object.", field)
        name = variant.get("name", chr(ord("A") + i) if i < 26 else f"V{i + 1}")
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > MAX_VARIANT_NAME
        ):
            raise InputError(
                f"{field}.name must be text of 1 to {MAX_VARIANT_NAME} characters.",
                f"{field}.name",
            )
        if name.strip() in names:
            raise InputError(f"{field}.name repeats “{name}”.", f"{field}.name")
        names.append(name.strip())
        if "sprints" in variant:
            sprints = _list(variant["sprints"], f"{field}.sprints", 1, MAX_SPRINTS)
            per_variant.append(
                [
                    _figures(s, f"{field}.sprints[{j}]", metric)
                    for j, s in enumerate(sprints)
                ]
            )
        else:
            per_variant.append([_figures(variant, field, metric)])
    looks = {len(rows) for rows in per_variant}
    if len(looks) != 1:
        raise InputError(
            "Every variant must give the same number of sprints.", "variants"
        )
    n_looks = looks.pop()
    units = [[per_variant[v][s][0] for v in range(len(names))] for s in range(n_looks)]
    first = [[per_variant[v][s][1] for v in range(len(names))] for s in range(n_looks)]
    second = [[per_variant[v][s][2] for v in range(len(names))] for s in range(n_looks)]
    args: dict[str, Any] = {"metric": metric, "names": names, "units": units}
    if metric == "binomial":
        args["conversions"] = first
    else:
        args["sums"] = first
        args["sum_squares"] = second
    args["alpha"] = optional(payload, "alpha", 0.05, number, above=0, maximum=0.5)
    args["power"] = optional(payload, "power", 0.8, number, minimum=0.5, below=1)
    planned = payload.get("planned_split")
    if planned is not None:
        if isinstance(planned, list) and planned and isinstance(planned[0], list):
            rows = _list(planned, "planned_split", n_looks, n_looks)
            args["planned_split"] = [
                split(row, f"planned_split[{i}]", len(names))
                for i, row in enumerate(rows)
            ]
        else:
            args["planned_split"] = split(planned, "planned_split", len(names))
    args["planned_units"] = optional(
        payload, "planned_units", None, number, above=0, maximum=MAX_COUNT
    )
    args["planned_looks"] = optional(payload, "planned_looks", None, integer, 1, 52)
    args["spending"] = choice(
        payload.get("spending", "obrien_fleming"),
        "spending",
        ("obrien_fleming", "pocock"),
    )
    args["correction"] = choice(
        payload.get("correction", "holm"), "correction", ("holm", "bh")
    )
    args["relative_mde"] = optional(
        payload, "relative_mde", None, number, minimum=MIN_RELATIVE_MDE, maximum=100
    )
    args["observational"] = optional(payload, "observational", False, boolean)
    args["higher_is_better"] = optional(payload, "higher_is_better", True, boolean)
    label = payload.get(
        "metric_label", "conversion rate" if metric == "binomial" else "mean value"
    )
    if not isinstance(label, str) or not 0 < len(label) <= 100:
        raise InputError(
            "metric_label must be text of 1 to 100 characters.", "metric_label"
        )
    args["metric_label"] = label
    return args


def parse_boundaries(payload: Any) -> dict:
    payload = require_object(payload)
    fractions = _list(
        payload.get("information_fractions"), "information_fractions", 1, 52
    )
    parsed = [
        number(f, f"information_fractions[{i}]", above=0, maximum=10)
        for i, f in enumerate(fractions)
    ]
    if any(b <= a for a, b in zip(parsed, parsed[1:], strict=False)):
        raise InputError(
            "information_fractions must increase from look to look.",
            "information_fractions",
        )
    return {
        "alpha": optional(payload, "alpha", 0.05, number, above=0, maximum=0.5),
        "information_fractions": parsed,
        "spending": choice(
            payload.get("spending", "obrien_fleming"), "spending", SPENDING
        ),
    }


def parse_sample_size(payload: Any) -> dict:
    payload = require_object(payload)
    baseline = number(
        payload.get("baseline_rate"), "baseline_rate",
        minimum=MIN_BASELINE_RATE, below=1,
    )  # fmt: skip
    mde = number(
        payload.get("relative_mde"), "relative_mde",
        minimum=MIN_RELATIVE_MDE, maximum=100,
    )  # fmt: skip
    if baseline * (1 + mde) >= 1:
        raise InputError(
            "baseline_rate × (1 + relative_mde) must stay below 1.", "relative_mde"
        )
    return {
        "baseline_rate": baseline,
        "relative_mde": mde,
        "alpha": optional(payload, "alpha", 0.05, number, above=0, maximum=0.5),
        "power": optional(payload, "power", 0.8, number, minimum=0.5, below=1),
        "variants": optional(payload, "variants", 2, integer, 2, MAX_VARIANTS),
        "units_per_sprint": optional(
            payload, "units_per_sprint", None, number, above=0, maximum=MAX_COUNT
        ),
        "planned_looks": optional(
            payload, "planned_looks", None, integer, 1, MAX_PLANNED_LOOKS
        ),
        "spending": choice(
            payload.get("spending", "obrien_fleming"), "spending", SPENDING
        ),
    }
