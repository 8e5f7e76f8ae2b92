"""An experiment's plan in figures: units per variant, sprints needed, and whether
the planned looks and the planned sample meet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import stats

if TYPE_CHECKING:
    from experiments.models import Experiment


@dataclass(frozen=True)
class PlanSummary:
    """What the plan needs. units_per_variant is None when the plan has no
    sample size (no baseline or smallest lift); sprints_needed is None without
    a traffic figure; warning is a plain sentence when looks and sample do not
    meet, or when there is no sample size to meet."""

    units_per_variant: int | None
    sprints_needed: int | None
    warning: str | None


NO_SAMPLE_SIZE = (
    "Without a baseline rate and a smallest lift the plan has no sample size: "
    "every sprint is judged with always-valid intervals, which are wider. Add both "
    "to get a planned sample and narrower intervals."
)


def plan_summary(
    baseline_rate: float | None,
    relative_mde: float | None,
    alpha: float,
    power: float,
    variants: int,
    planned_looks: int,
    traffic_per_sprint: int | None = None,
) -> PlanSummary:
    """The plan's sample size inflated for its looks, and the sprints it needs."""
    if not baseline_rate or not relative_mde:
        return PlanSummary(None, None, NO_SAMPLE_SIZE)
    try:
        size = stats.sample_size(
            baseline_rate,
            relative_mde,
            alpha,
            power,
            max(variants, 2),
            units_per_sprint=traffic_per_sprint,
            planned_looks=planned_looks,
        )
    except stats.StatsInputError:  # a plan stored before today's limits
        return PlanSummary(None, None, NO_SAMPLE_SIZE)
    needed = size.sprints_needed
    return PlanSummary(
        size.units_per_variant,
        needed,
        _mismatch(needed, planned_looks, traffic_per_sprint),
    )


def _mismatch(needed: int | None, looks: int, traffic: int | None) -> str | None:
    """Why the looks and the sample do not meet, or None when they do."""
    if needed is None or traffic is None or needed == looks:
        return None
    at = f"At {traffic:,} units a sprint the planned sample takes about {needed} "
    at += "sprint" if needed == 1 else "sprints"
    if needed > looks:
        return (
            f"{at}, but the plan has {looks} looks: the last look comes before the "
            f"planned sample, so the test would end short of its power. Plan "
            f"{needed} looks, or find more traffic per sprint."
        )
    return (
        f"{at}, before the {looks} planned looks: the plan ends at look {needed} and "
        f"later looks cannot change the verdict. Plan {needed} "
        f"look{'s' if needed != 1 else ''}."
    )


def plan_of(experiment: Experiment) -> PlanSummary:
    """The experiment's plan in figures (plan_summary of its fields)."""
    return plan_summary(
        experiment.baseline_rate,
        experiment.relative_mde,
        experiment.alpha,
        experiment.power,
        len(experiment.variants),
        experiment.planned_looks,
        experiment.traffic_per_sprint,
    )
