"""Spend alpha by the information reached, not by the calendar.

With `planned_looks` alone, look s of K used to sit at fraction s/K. When traffic
is back-loaded (2%, 3%, 5%, 10%, 30%, 50% of the plan per sprint) the early looks
then spend alpha meant for much more data, and the A/A false-winner rate rose to
6.1% at alpha 5%. Here the fraction at a look is the information reached,
n_c n_t / (n_c + n_t), over the maximum information of the plan, derived from its
sample size (baseline rate and smallest lift, inflated for the planned looks).
Where no sample size can be derived, the plan says so and the always-valid mode
(stats.always_valid) applies instead. Boundaries come from stats.sequential's
Lan-DeMets recursion, so the conventions past the plan are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .always_valid import effective_units
from .arrays import BoolArray, FloatArray
from .errors import as_float_array
from .planning import sample_size
from .sequential import z_boundaries

MODE_INFORMATION = "information"
MODE_ALWAYS_VALID = "always_valid"


@dataclass(frozen=True)
class InformationPlan:
    """How looks are judged: by information against a maximum, or always-valid."""

    mode: str
    max_information: float | None  # n_c n_t / (n_c + n_t) at the planned end
    units_per_variant: int | None
    reason: str | None  # why the always-valid mode applies, in plain words


def information_plan(
    planned_looks: int,
    baseline_rate: float | None = None,
    relative_mde: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    variants: int = 2,
    spending: str = "obrien_fleming",
) -> InformationPlan:
    """The maximum information of a plan with planned_looks, from its sample size.

    The sample size is the inflated one (stats.planning.sample_size with
    planned_looks), equal split: max information n / 2. Without a baseline rate
    and a smallest lift there is no sample size, so the mode is always-valid.
    """
    if baseline_rate is None or relative_mde is None:
        return InformationPlan(
            mode=MODE_ALWAYS_VALID,
            max_information=None,
            units_per_variant=None,
            reason=(
                "No sample size can be derived without a baseline rate and a "
                "smallest lift, so every look uses always-valid intervals."
            ),
        )
    plan = sample_size(
        baseline_rate,
        relative_mde,
        alpha,
        power,
        variants,
        planned_looks=planned_looks,
        spending=spending,
    )
    n = plan.units_per_variant
    return InformationPlan(MODE_INFORMATION, n / 2.0, n, None)


def planned_information(planned_units: object) -> FloatArray:
    """Maximum information per challenger from planned units per variant, (V,).

    P_c P_j / (P_c + P_j) for j = 1..V-1: shape (V-1,).
    """
    p = as_float_array(planned_units, "planned_units")
    return effective_units(p[..., :1], p[..., 1:])


@dataclass(frozen=True)
class InformationLooks:
    """Per look (axis 0) and comparison: fraction of the plan and |z| boundary.

    informed is False where a comparison has no information yet (not a look:
    fraction 0, boundary inf, no alpha spent).
    """

    fractions: FloatArray
    z_boundaries: FloatArray
    informed: BoolArray


def _column_bounds(t: FloatArray, alpha: float, spending: str) -> FloatArray:
    out = np.full(t.size, np.inf)
    looks = t > 0
    if np.any(looks):
        out[looks] = z_boundaries(t[looks], alpha, spending)
    return out


def information_boundaries(
    information: object,
    max_information: object,
    alpha: float = 0.05,
    spending: str = "obrien_fleming",
) -> InformationLooks:
    """Lan-DeMets boundaries at fractions information / max_information.

    information: cumulative, (S,) or (S, N) with looks along axis 0 (never
    decreasing); max_information: scalar or (N,). Each column is one comparison;
    the boundaries reuse stats.sequential.z_boundaries (and its cache).
    """
    info = as_float_array(information, "information")
    top = as_float_array(max_information, "max_information")
    t = np.atleast_2d(info.T).T / top if info.ndim == 1 else info / top
    t = np.where(np.isfinite(t) & (t > 0), t, 0.0)
    bounds = np.empty_like(t)
    for j in range(t.shape[1]):
        bounds[:, j] = _column_bounds(t[:, j], alpha, spending)
    shape = info.shape
    return InformationLooks(
        fractions=t.reshape(shape),
        z_boundaries=bounds.reshape(shape),
        informed=(t > 0).reshape(shape),
    )
