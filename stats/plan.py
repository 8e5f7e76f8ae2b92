"""Planning figures of an analysis: units needed, sprints to go, power warning.

Sizes the test from the control's observed rate (or mean and spread) and the
planned relative effect, with the formulas of stats.planning.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import numbers as fig
from . import wording
from .checks import Inputs
from .continuous import mean_and_sd
from .planning import (
    MIN_BASELINE_RATE,
    MIN_RELATIVE_MDE,
    comparison_alpha,
    continuous_units_per_variant,
    sample_size,
)
from .report_types import Notes


def required_per_variant(inp: Inputs) -> float | None:
    """Units per variant to detect the planned effect; None when not sizable."""
    if inp.mde is None:
        return None
    total = inp.total_n
    if inp.metric == "binomial":
        assert inp.x is not None
        x0, n0 = inp.x[:, 0].sum(), total[0]
        if n0 == 0 or x0 == 0 or x0 == n0:
            return None
        rate = x0 / n0
        if not 0 < rate * (1 + inp.mde) < 1:
            return None
        if rate < MIN_BASELINE_RATE or abs(inp.mde) < MIN_RELATIVE_MDE:
            return None  # beyond what a plan can size (planning's limits)
        plan = sample_size(rate, inp.mde, inp.alpha, inp.power, inp.n_var)
        return float(plan.units_per_variant)
    mean, sd = mean_and_sd(*(v[:1] for v in inp.total_cells))
    if not (np.isfinite(mean[0]) and np.isfinite(sd[0])) or mean[0] == 0:
        return None
    a = comparison_alpha(inp.alpha, inp.n_var)
    return math.ceil(
        continuous_units_per_variant(sd[0], mean[0], inp.mde, a, inp.power)
    )


def _more_sprints(inp: Inputs, needed_total: float | None, traffic: float):
    """Sprints still to run at the current traffic, or None when unknown."""
    if needed_total is not None and traffic > 0:
        return max(0, math.ceil((needed_total - inp.total_n.sum()) / traffic - 1e-9))
    if inp.planned_looks is not None:
        return max(0, inp.planned_looks - inp.n_sprints)
    return None


def _power_check(inp: Inputs, required: float, traffic: float, notes: Notes) -> None:
    """Warn when the plan's sample falls short of the units the effect needs."""
    total = inp.total_n
    if inp.metric == "binomial":
        assert inp.x is not None
        observed = float(inp.x[:, 0].sum() / total[0])
        basis = f"at the control's observed rate of {fig.pct(observed, sign=False)}"
    else:
        basis = "at the control's observed mean and spread"
    if inp.plan_units is not None:
        short = float(inp.plan_units.min()) < required
        have = f"the plan's {int(inp.plan_units.min()):,} units per variant"
    elif inp.planned_looks is not None:
        projected = traffic * inp.planned_looks / inp.n_var
        short = projected < required
        have = (
            f"{inp.planned_looks} sprints at the current traffic "
            f"(about {int(projected):,} units per variant)"
        )
    else:
        short = float(total.min()) < required
        have = f"the {int(total.min()):,} units per variant so far"
    if short:
        notes.add(
            "underpowered",
            wording.underpowered(basis, inp.mde or 0.0, inp.power, required, have),
        )


def planning_figures(inp: Inputs, notes: Notes) -> dict[str, Any]:
    """units_needed_per_variant, units_per_sprint, more_sprints, alpha per test."""
    traffic = float(inp.total_n.sum()) / inp.n_sprints
    required = required_per_variant(inp)
    needed_total: float | None = None
    if required is not None:
        needed_total = required * inp.n_var
        _power_check(inp, required, traffic, notes)
    elif inp.plan_units is not None:
        needed_total = float(inp.plan_units.sum())
    return {
        "units_needed_per_variant": int(required) if required is not None else None,
        "units_per_sprint": traffic,
        "more_sprints": _more_sprints(inp, needed_total, traffic),
        "alpha_per_comparison": comparison_alpha(inp.alpha, inp.n_var),
    }
