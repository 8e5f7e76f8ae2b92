"""Entering results, one cell (variant x metric x sprint) with its trail; feedback.

Every write of a result goes through `record_result`, from the form, the demo
loader and any import, so each change leaves one trail row with old and new values.
"""

from __future__ import annotations

from datetime import datetime

import stats
from content.models import Feedback
from database import db
from experiments.models import Experiment, Result, ResultEdit, Sprint

# The statuses in which results can be entered.
OPEN_FOR_RESULTS = ("running", "analyzing", "decided")
CELL_FIELDS = ("units", "conversions", "value_mean", "value_m2")


def cell_from_entry(units: int, mean: float, sd: float) -> tuple[float, float]:
    """(n, mean, sample sd) as the stored mean and M2 = (n - 1) sd^2 (the one
    conversion lives in stats); a cell without units has the mean 0."""
    return (float(mean) if units else 0.0), float(stats.m2_from_sd(units, sd))


def record_result(
    variant_id: int,
    sprint_id: int,
    metric_id: int,
    values: dict,
    source: str,
    entered_by_id: int | None = None,
) -> Result:
    """Insert or update one cell; a change leaves a trail row, a no-op leaves none.

    `values` holds the four CELL_FIELDS (None where the metric kind has none).
    """
    result = db.session.execute(
        db.select(Result).where(
            Result.variant_id == variant_id,
            Result.sprint_id == sprint_id,
            Result.metric_id == metric_id,
        )
    ).scalar_one_or_none()
    old = None
    if result is None:
        result = Result(variant_id=variant_id, sprint_id=sprint_id, metric_id=metric_id)
        db.session.add(result)
    else:
        old = {k: getattr(result, k) for k in values}
        if old == values:
            return result
    for name, value in values.items():
        setattr(result, name, value)
    result.source = source
    result.entered_by_id = entered_by_id
    db.session.flush()
    db.session.add(
        ResultEdit(
            result_id=result.id,
            changed_by_id=entered_by_id,
            source=source,
            **{f"old_{k}": old and old[k] for k in CELL_FIELDS},
            **{f"new_{k}": values[k] for k in CELL_FIELDS},
        )
    )
    return result


def feedback_problems(
    experiment: Experiment, variant_id: int | None, sprint_id: int | None
) -> dict[str, str]:
    """Feedback names one of the experiment's variants and an existing sprint."""
    errors = {}
    if not any(v.id == variant_id for v in experiment.variants):
        errors["variant_id"] = "Choose the variant the leads came from."
    if sprint_id is None or db.session.get(Sprint, sprint_id) is None:
        errors["sprint_id"] = "Choose a sprint."
    return errors


def add_feedback(
    variant_id: int,
    sprint_id: int,
    values: dict,
    author_id: int | None,
    created_at: datetime | None = None,
) -> Feedback:
    """Add sales' note on a variant's leads (checked by `feedback_problems`).

    `values`: lead_quality, sentiment, outcome, objections (comma-joined), text.
    """
    feedback = Feedback(
        sprint_id=sprint_id, variant_id=variant_id, author_id=author_id, **values
    )
    if created_at is not None:
        feedback.created_at = created_at
    db.session.add(feedback)
    return feedback
