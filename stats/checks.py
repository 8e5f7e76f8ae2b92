"""Input checks of analyze(): raw arguments in, one frozen Inputs out.

Every later step (figures, looks, planning, verdicts) reads the checked Inputs,
so nothing downstream re-validates or mutates them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .arrays import FloatArray
from .binomial import check_binomial
from .continuous import check_cells, combine_cells
from .errors import StatsInputError, as_float_array, check_choice, check_probability
from .multiple import CORRECTIONS
from .sequential import SPENDING_FUNCTIONS

METRICS = ("binomial", "continuous")
# What the verdicts call the metric when the caller gives no label.
DEFAULT_LABELS = {"binomial": "conversion rate", "continuous": "mean value"}
# Tolerance on a planned split summing to 1 (shares typed as percentages round).
SPLIT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Inputs:
    """The checked inputs of one analysis; tables are (sprints, variants)."""

    metric: str
    names: tuple[str, ...]
    label: str
    alpha: float
    power: float
    spending: str
    correction: str
    higher_is_better: bool
    observational: bool
    n: FloatArray
    x: FloatArray | None
    mean: FloatArray | None  # continuous: each cell's mean and M2 ((n - 1) sd^2)
    m2: FloatArray | None
    split: FloatArray
    plan_units: FloatArray | None
    planned_looks: int | None
    mde: float | None
    labels: tuple[str, ...]

    @property
    def n_var(self) -> int:
        return int(self.n.shape[1])

    @property
    def n_sprints(self) -> int:
        return int(self.n.shape[0])

    @property
    def cum_n(self) -> FloatArray:
        return np.cumsum(self.n, axis=0)

    @property
    def total_n(self) -> FloatArray:
        return self.n.sum(axis=0)

    @property
    def cum_cells(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Continuous (units, mean, M2) on the data up to each sprint."""
        assert self.mean is not None and self.m2 is not None
        return combine_cells(self.n, self.mean, self.m2)

    @property
    def total_cells(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Continuous (units, mean, M2) per variant over all sprints."""
        assert self.mean is not None and self.m2 is not None
        return combine_cells(self.n, self.mean, self.m2, cumulative=False)

    @property
    def split_changed(self) -> bool:
        """True when the planned split differs between sprints (Simpson risk)."""
        return bool(np.any(np.abs(self.split - self.split[:1]) > SPLIT_TOLERANCE))

    @property
    def stratify(self) -> bool:
        """The binomial looks and estimates are stratified by sprint."""
        return self.metric == "binomial" and self.split_changed


def as_table(value: Any, name: str, n_var: int | None = None) -> FloatArray:
    """A (sprints, variants) table; a (variants,) row is one sprint."""
    arr = as_float_array(value, name)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise StatsInputError(name, "must be (sprints, variants) or (variants,)")
    if n_var is not None and arr.shape[1] != n_var:
        raise StatsInputError(name, f"needs one column per variant ({n_var})")
    return arr


def check_names(names: Any) -> tuple[str, ...]:
    """At least two distinct, non-empty variant names, control first."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise StatsInputError("names", "must be a list of variant names, control first")
    out = tuple(str(n) for n in names)
    if len(out) < 2:
        raise StatsInputError("names", "need at least two variants (control first)")
    if any(not n.strip() for n in out) or len(set(out)) != len(out):
        raise StatsInputError("names", "variant names must be non-empty and distinct")
    return out


def check_split(planned_split: Any, shape: tuple[int, int]) -> FloatArray:
    """Planned shares per sprint per variant; even when not given."""
    n_sprints, n_var = shape
    if planned_split is None:
        return np.full(shape, 1.0 / n_var)
    split = as_float_array(planned_split, "planned_split")
    if split.ndim == 1:
        split = np.broadcast_to(split, (n_sprints, split.shape[0]))
    if split.shape != shape:
        raise StatsInputError(
            "planned_split", f"must be ({n_var},) or ({n_sprints}, {n_var})"
        )
    if np.any(split < 0):
        raise StatsInputError("planned_split", "shares cannot be negative")
    if np.any(np.abs(split.sum(axis=1) - 1.0) > SPLIT_TOLERANCE):
        raise StatsInputError("planned_split", "shares must sum to 1")
    return np.array(split)


def check_planned_units(planned_units: Any, n_var: int) -> FloatArray | None:
    """Planned units per variant (one number for all, or one each), or None."""
    if planned_units is None:
        return None
    p = as_float_array(planned_units, "planned_units")
    if p.ndim == 0:
        p = np.full(n_var, float(p))
    if p.shape != (n_var,) or np.any(p <= 0):
        raise StatsInputError(
            "planned_units",
            "must be a positive number per variant (one or per variant)",
        )
    return p


def check_int(value: Any, name: str) -> int | None:
    """A whole number of at least 1, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise StatsInputError(name, "must be a whole number, at least 1")
    return int(value)


def check_mde(value: Any) -> float | None:
    """A non-zero relative change above -100%, or None."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise StatsInputError("relative_mde", "must be a number") from exc
    if not math.isfinite(v) or v == 0 or v <= -1:
        raise StatsInputError("relative_mde", "must be a non-zero change above -100%")
    return v


def check_counts(
    metric: str, n_var: int, units: Any, **kw: Any
) -> tuple[FloatArray, FloatArray | None, FloatArray | None, FloatArray | None]:
    """units and conversions (binomial), or sums and sum_squares or means and
    m2s (continuous, returned as means and M2)."""
    n = as_table(units, "units", n_var)
    if metric == "binomial":
        if kw["conversions"] is None:
            raise StatsInputError("conversions", "required for a binomial metric")
        n, x = check_binomial(n, as_table(kw["conversions"], "conversions", n_var))
        return n, x, None, None
    tables = {
        name: None if kw[name] is None else as_table(kw[name], name, n_var)
        for name in ("sums", "sum_squares", "means", "m2s")
    }
    n, mean, m2 = check_cells(n, **tables)
    return n, None, mean, m2


def check_labels(sprint_labels: Sequence[str] | None, n_sprints: int) -> tuple:
    """One label per sprint; '1', '2', ... by default."""
    if sprint_labels is None:
        return tuple(str(i + 1) for i in range(n_sprints))
    labels = tuple(str(v) for v in sprint_labels)
    if len(labels) != n_sprints:
        raise StatsInputError(
            "sprint_labels", f"need one label per sprint ({n_sprints})"
        )
    return labels


def check_inputs(metric: str, names: Sequence[str], units: Any, **kw: Any) -> Inputs:
    """Check every argument of analyze() (same names) and build the Inputs."""
    metric = check_choice(metric, "metric", METRICS)
    names_ = check_names(names)
    n_var = len(names_)
    alpha = check_probability(kw["alpha"], "alpha")
    power = check_probability(kw["power"], "power")
    check_choice(kw["spending"], "spending", SPENDING_FUNCTIONS)
    check_choice(kw["correction"], "correction", CORRECTIONS)
    n, x, mean, m2 = check_counts(
        metric,
        n_var,
        units,
        **{k: kw[k] for k in ("conversions", "sums", "sum_squares", "means", "m2s")},
    )
    label = kw["metric_label"]
    return Inputs(
        metric=metric,
        names=names_,
        label=DEFAULT_LABELS[metric] if label is None else str(label),
        alpha=alpha,
        power=power,
        spending=kw["spending"],
        correction=kw["correction"],
        higher_is_better=bool(kw["higher_is_better"]),
        observational=bool(kw["observational"]),
        n=n,
        x=x,
        mean=mean,
        m2=m2,
        split=check_split(kw["planned_split"], n.shape),
        plan_units=check_planned_units(kw["planned_units"], n_var),
        planned_looks=check_int(kw["planned_looks"], "planned_looks"),
        mde=check_mde(kw["relative_mde"]),
        labels=check_labels(kw["sprint_labels"], n.shape[0]),
    )
